import { X509Certificate, randomUUID } from 'node:crypto';

import { SignedXml } from 'xml-crypto';

// A WUS aanleveren request as a Digikoppeling client builds it: SOAP 1.1, WS-Addressing, WS-Security X.509 signed
// with xml-crypto (not with Poort's own code). The bench has its own small builder rather than importing e2e's
// hostile-request builder: bench may not depend on e2e, and it needs only the well-formed case.

const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  kv: 'http://logius.nl/digipoort/koppelvlakservices/1.2/',
};
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export const AANLEVER_PATH = '/wus/2.0/aanleverservice/1.2';
export const AANLEVEREN_ACTION = 'http://logius.nl/digipoort/wus/2.0/aanleverservice/1.2/AanleverService/aanleverenRequest';
/** How long a signed request stays acceptable after its wsu:Created (ingress's WUS_MAX_MESSAGE_AGE_MS default). */
export const WUS_MAX_MESSAGE_AGE_MS = 5 * 60_000;

export interface WusSigner {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface AanleverenRequest {
  /** The endpoint URL, signed as wsa:To. */
  readonly to: string;
  readonly berichtsoort: string;
  readonly aanleverkenmerk: string;
  readonly bestandsnaam: string;
  /** berichtInhoud/inhoud, already base64. */
  readonly inhoudBase64: string;
}

export interface SignedRequest {
  readonly xml: string;
  /** wsu:Created: the request is refused once it is older than the endpoint's maximum message age. */
  readonly created: Date;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Signs one request: a fresh wsa:MessageID (the endpoint refuses a replay) and wsu:Created (now). References
 * Timestamp, To, Action, MessageID and Body with exclusive C14N and SHA-256, signed RSA-SHA256; KeyInfo points at
 * the BinarySecurityToken (the 2W-be-S profile).
 */
export function signAanleveren(request: AanleverenRequest, signer: WusSigner): SignedRequest {
  const created = new Date();
  const der = new X509Certificate(signer.certificatePem).raw.toString('base64');
  const unsigned =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:wsu="${NS.wsu}"><soap:Header>` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" soap:mustUnderstand="1">` +
    `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${created.toISOString()}</wsu:Created>` +
    `<wsu:Expires>${new Date(created.getTime() + WUS_MAX_MESSAGE_AGE_MS).toISOString()}</wsu:Expires></wsu:Timestamp>` +
    `<wsse:BinarySecurityToken EncodingType="${BASE64_BINARY}" ValueType="${X509V3}" wsu:Id="X509-1">${der}</wsse:BinarySecurityToken>` +
    `</wsse:Security>` +
    `<wsa:To wsu:Id="id-to">${escape(request.to)}</wsa:To>` +
    `<wsa:Action wsu:Id="id-action">${AANLEVEREN_ACTION}</wsa:Action>` +
    `<wsa:MessageID wsu:Id="id-msg">urn:uuid:${randomUUID()}</wsa:MessageID>` +
    `</soap:Header><soap:Body wsu:Id="id-body"><aan:aanleverRequest xmlns:aan="${NS.kv}">` +
    `<aan:berichtsoort>${escape(request.berichtsoort)}</aan:berichtsoort>` +
    `<aan:aanleverkenmerk>${escape(request.aanleverkenmerk)}</aan:aanleverkenmerk>` +
    `<aan:identiteitBelanghebbende><aan:nummer>001000044B37</aan:nummer><aan:type>Fi</aan:type></aan:identiteitBelanghebbende>` +
    `<aan:rolBelanghebbende>Bedrijf</aan:rolBelanghebbende>` +
    `<aan:berichtInhoud><aan:mimeType>application/xml</aan:mimeType><aan:bestandsnaam>${escape(request.bestandsnaam)}</aan:bestandsnaam>` +
    `<aan:inhoud>${request.inhoudBase64}</aan:inhoud></aan:berichtInhoud>` +
    `</aan:aanleverRequest></soap:Body></soap:Envelope>`;
  const signature = new SignedXml({
    privateKey: signer.privateKeyPem,
    idMode: 'wssecurity',
    canonicalizationAlgorithm: EXC_C14N,
    signatureAlgorithm: RSA_SHA256,
    getKeyInfoContent: () => `<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}"><wsse:Reference URI="#X509-1" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`,
  });
  for (const part of ['Timestamp', 'To', 'Action', 'MessageID', 'Body']) {
    signature.addReference({ xpath: `//*[local-name(.)='${part}']`, transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  }
  signature.computeSignature(unsigned, { prefix: 'ds', location: { reference: "//*[local-name(.)='Security']", action: 'append' } });
  return { xml: signature.getSignedXml(), created };
}

/** The kenmerk of an aanleverResponse (whatever prefix the response binds to the koppelvlak namespace). */
export function kenmerkOf(responseXml: string): string | undefined {
  return /<(?:[\w.-]+:)?kenmerk(?:\s[^>]*)?>\s*([^<\s]+)\s*</.exec(responseXml)?.[1];
}
