import type { X509Certificate } from 'node:crypto';

import type { Recipient } from '@poort/message-types';
import { ClientIdentityError, identityFromCertificate, type CertificateVerifier } from '@poort/pki';
import { AFLEVER_SERVICE, NS, childElements, isSoapFault, readAfleverResponse, readSoapFault } from '@poort/wus';
import { isWsSecurityError, verifySoapRequest, type WsSecurityPolicy } from '@poort/ws-security';
import { XmlError, parseXml, type CompiledSchema, type XmlDocument, type XmlElement } from '@poort/xml';

import type { AttemptOutcome } from '../attempt-outcome.js';

/** What Poort knows of the request an answer must belong to, and how it checks the recipient's signature. */
export interface AfleverExpectations {
  readonly recipient: Recipient;
  readonly kenmerk: string;
  /** The request's wsa:MessageID: the answer's wsa:RelatesTo. */
  readonly messageId: string;
  /** The request's ds:SignatureValue, which a wsse11:SignatureConfirmation in the answer must echo; absent when unsigned. */
  readonly signatureValue: string | undefined;
  /** The recipient's own certificate (profile `certificate`): the answer's signer must be exactly this one. */
  readonly pinned: X509Certificate | undefined;
  /** Checks the signer's chain, validity and revocation against Poort's trust store (TLS_CA_FILE, TLS_CRL_FILE). */
  readonly signers: CertificateVerifier;
  /** digipoort-koppelvlak-1.2.xsd, compiled. */
  readonly schema: CompiledSchema;
  readonly policy: Partial<WsSecurityPolicy>;
  readonly now: Date;
}

/** An answer that does not prove what it claims: a retry may get a good one, so it fails the attempt (420). */
class UnverifiableAnswer extends Error {}

const RESPONSE_ACTION = AFLEVER_SERVICE.operations[0]!.responseAction;
const MAX_DETAIL_CHARS = 1_000;

/**
 * What the recipient's HTTP answer to an afleverRequest comes to. Delivered: a signed afleverResponse for this
 * kenmerk, its signature verified (2W-be-S), the signer the recipient (trusted chain, the recipient's OIN, the
 * profile's certificate when it names one), RelatesTo our MessageID, schema-valid. Refused: a SOAP Client fault, with
 * its foutcode. Failed (retried): a Server fault, any other HTTP answer, and whatever cannot be verified.
 *
 * A fault need not be signed: a WUS service cannot sign a fault about a request it could not verify (Poort's own
 * endpoints do the same), and the TLS connection, checked against the trust store and the pinned certificate,
 * already says who answers. A fault that is signed must verify, like a response.
 */
export async function outcomeOfAfleverAnswer(httpStatus: number, body: Buffer, expect: AfleverExpectations): Promise<AttemptOutcome> {
  let doc: XmlDocument;
  try {
    doc = parseXml(body, { maxBytes: body.byteLength + 1 });
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    return { kind: 'failed', detail: `HTTP ${httpStatus}: het antwoord van ${expect.recipient.id} is geen XML${body.length > 0 ? `: ${short(body.toString('utf8'))}` : ''}` };
  }
  try {
    const bodyChild = soapBodyChild(doc.root);
    if (bodyChild === undefined) return { kind: 'failed', detail: `HTTP ${httpStatus}: het antwoord van ${expect.recipient.id} is geen SOAP 1.1-bericht` };
    if (isSoapFault(bodyChild)) {
      if (hasSecurityHeader(doc.root)) await verified(doc, expect);
      const fault = readSoapFault(bodyChild);
      const detail = `SOAP-fout ${fault.faultcode}: ${fault.fout ? `${fault.fout.foutcode} ${fault.fout.foutbeschrijving}` : fault.faultstring}`;
      if (fault.faultcode === 'Client') return { kind: 'refused', detail, ...(fault.fout ? { foutcode: fault.fout.foutcode } : {}) };
      return { kind: 'failed', detail };
    }
    if (httpStatus !== 200) return { kind: 'failed', detail: `HTTP ${httpStatus} zonder SOAP-fout van ${expect.recipient.id}` };
    const payload = expect.signatureValue === undefined && !hasSecurityHeader(doc.root) ? bodyChild : await verified(doc, expect);
    if (payload.namespaceUri !== NS.kv || payload.name !== 'afleverResponse') {
      throw new UnverifiableAnswer(`de Body bevat {${payload.namespaceUri}}${payload.name}, geen afleverResponse`);
    }
    const validation = expect.schema.validate(payload);
    if (!validation.valid) throw new UnverifiableAnswer(`het afleverResponse voldoet niet aan het koppelvlak: ${validation.errors.slice(0, 3).map((error) => error.message).join('; ')}`);
    const response = readAfleverResponse(payload);
    if (response.kenmerk !== expect.kenmerk) throw new UnverifiableAnswer(`het afleverResponse gaat over kenmerk ${response.kenmerk}, niet over ${expect.kenmerk}`);
    return { kind: 'delivered', httpStatus, tijdstempelAfgeleverd: response.tijdstempelAfgeleverd };
  } catch (error) {
    if (error instanceof UnverifiableAnswer) return { kind: 'failed', detail: `onbetrouwbaar antwoord van ${expect.recipient.id}: ${error.message}` };
    throw error;
  } finally {
    doc.dispose();
  }
}

/** The signed body's child, once the signature, the signer and the addressing of the answer are what they must be. */
async function verified(doc: XmlDocument, expect: AfleverExpectations): Promise<XmlElement> {
  let result;
  try {
    result = verifySoapRequest(doc, expect.policy, expect.now);
  } catch (error) {
    if (isWsSecurityError(error)) throw new UnverifiableAnswer(`WS-Security: ${error.message} (${error.code})`);
    throw error;
  }
  await checkSigner(result.certificate, expect);
  const relatesTo = result.addressing.get('RelatesTo')?.content.trim();
  if (relatesTo !== expect.messageId) throw new UnverifiableAnswer(`wsa:RelatesTo ${relatesTo ?? '(geen)'} is niet de MessageID van het verzoek (${expect.messageId})`);
  const action = result.addressing.get('Action')?.content.trim();
  const body = childElements(result.body)[0];
  if (body !== undefined && !isSoapFault(body) && action !== RESPONSE_ACTION) throw new UnverifiableAnswer(`wsa:Action ${action ?? '(geen)'} is niet ${RESPONSE_ACTION}`);
  if (result.signatureConfirmations !== undefined && expect.signatureValue !== undefined && !result.signatureConfirmations.includes(expect.signatureValue)) {
    throw new UnverifiableAnswer('de wsse11:SignatureConfirmation bevestigt een andere handtekening dan die van het verzoek');
  }
  if (body === undefined) throw new UnverifiableAnswer('de ondertekende Body is leeg');
  return body;
}

async function checkSigner(certificate: X509Certificate, expect: AfleverExpectations): Promise<void> {
  if (expect.pinned !== undefined && certificate.fingerprint256 !== expect.pinned.fingerprint256) {
    throw new UnverifiableAnswer(`ondertekend met ${certificate.subject.replaceAll('\n', ', ')}, niet met het certificaat van het ontvangersprofiel`);
  }
  try {
    await expect.signers.verify(certificate, [], expect.now);
    const signer = identityFromCertificate(certificate);
    if (signer.oin !== expect.recipient.oin) throw new UnverifiableAnswer(`ondertekend door OIN ${signer.oin}, de ontvanger is OIN ${expect.recipient.oin}`);
  } catch (error) {
    if (error instanceof ClientIdentityError) throw new UnverifiableAnswer(`ondertekeningscertificaat niet vertrouwd: ${error.message}`);
    throw error;
  }
}

function soapBodyChild(root: XmlElement): XmlElement | undefined {
  if (root.namespaceUri !== NS.soap11 || root.name !== 'Envelope') return undefined;
  const body = childElements(root).find((child) => child.namespaceUri === NS.soap11 && child.name === 'Body');
  return body === undefined ? undefined : childElements(body)[0];
}

function hasSecurityHeader(root: XmlElement): boolean {
  const header = childElements(root).find((child) => child.namespaceUri === NS.soap11 && child.name === 'Header');
  return header !== undefined && childElements(header).some((block) => block.namespaceUri === NS.wsse && block.name === 'Security');
}

const short = (text: string) => (text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text);
