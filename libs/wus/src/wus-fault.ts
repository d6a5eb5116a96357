import type { Refusal } from '@poort/contracts';

/** Generic WUS error codes (Digikoppeling Best Practices WUS, domain.md 3.1). */
export const WUS_CODE = {
  invalidEnvelope: '0001',
  notAuthorised: '0002',
  invalidSoapAction: '0003',
  notXsdConformant: '0004',
  toMissing: '0005',
  actionMissing: '0006',
  messageIdMissing: '0007',
  notUtf: '0009',
  foreignHeader: '0010',
  headerValue: '0011',
} as const;

/**
 * A refusal that becomes a soap:Fault. `Client` faults blame the request, `Server` faults Poort. The foutcode is a
 * generic WUS code where the envelope or its security is wrong, and a Digipoort code (ALS100, STS100, …) where the
 * koppelvlak payload or the use case refuses.
 */
export class WusFault extends Error {
  override readonly name = 'WusFault';

  constructor(
    readonly faultcode: 'Client' | 'Server',
    readonly foutcode: string,
    readonly foutbeschrijving: string,
    readonly faultstring = faultcode === 'Client' ? 'Algemene fout' : 'Technische fout',
    /** Of a busy refusal: sent as the HTTP Retry-After of the fault's response, for clients that read it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${foutcode}: ${foutbeschrijving}`);
  }
}

export const clientFault = (foutcode: string, foutbeschrijving: string) => new WusFault('Client', foutcode, foutbeschrijving);

/** A use case's refusal as a SOAP fault: Poort's own trouble (overload) blames the Server, everything else the Client. */
export function faultForRefusal(refusal: Refusal): WusFault {
  const faultcode = refusal.kind === 'overloaded' ? 'Server' : 'Client';
  return new WusFault(faultcode, refusal.code, refusal.message, undefined, refusal.retryAfterSeconds);
}
