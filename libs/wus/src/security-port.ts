import type { X509Certificate } from 'node:crypto';

import type { XmlDocument, XmlElement } from '@poort/xml';

import type { SoapResponse } from './response-envelope.js';

/** What WS-Security verification established about a request (mirrors @poort/ws-security's VerifiedRequest). */
export interface VerifiedSoapRequest {
  readonly certificate: X509Certificate;
  readonly signatureValue: string;
  readonly created: Date;
  readonly expires?: Date;
  /** The signed soap:Body: the only body node that may be processed. */
  readonly body: XmlElement;
  /** Signed WS-Addressing headers by local name. */
  readonly addressing: ReadonlyMap<string, XmlElement>;
}

/**
 * The port to WS-Security, so that this library stays independent of how signatures are checked and made.
 * `verify` throws an error with a `code` (WSS_*) when the request's security is not acceptable.
 */
export interface SoapSecurity {
  verify(doc: XmlDocument, now: Date): VerifiedSoapRequest;
  /** The response written as a signed envelope. */
  sign(response: SoapResponse, options: { signatureConfirmation?: string; now: Date }): string;
}

/** Records a wsa:MessageID; false when it was seen before (a replay). */
export interface ReplayGuard {
  remember(signerFingerprint: string, messageId: string, now: Date): Promise<boolean>;
}
