import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSA = 'http://www.w3.org/2005/08/addressing';
export const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
export const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const ACTION = 'http://logius.nl/digipoort/wus/2.0/aanleverservice/1.2/AanleverService/aanleverenRequest';
export const ENDPOINT = 'https://poort.test/wus/2.0/aanleverservice/1.2';

export interface RequestOptions {
  certificatePem: string;
  created: Date;
  /** Default created + 5 min; null for none. */
  expires?: Date | null;
  /** Size of the base64 berichtInhoud payload in bytes before encoding. */
  payloadBytes?: number;
  /** Extra WS-Addressing headers (raw XML, e.g. a ReplyTo). */
  extraAddressing?: string;
  withTimestamp?: boolean;
}

/** An unsigned WUS aanleveren request with wsse:Security (Timestamp, BST) and fixed wsu:Ids. */
export function unsignedRequest(options: RequestOptions): string {
  const der = new X509Certificate(options.certificatePem).raw.toString('base64');
  const expires = options.expires === undefined ? new Date(options.created.getTime() + 300_000) : options.expires;
  const payload = Buffer.alloc(options.payloadBytes ?? 512, 'Omzetbelasting 2025 ').toString('base64');
  const timestamp = options.withTimestamp === false ? '' : `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${options.created.toISOString()}</wsu:Created>${
    expires === null ? '' : `<wsu:Expires>${expires.toISOString()}</wsu:Expires>`}</wsu:Timestamp>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${SOAP11}" xmlns:wsa="${WSA}" xmlns:wsu="${WSU}" xmlns:aan="http://logius.nl/digipoort/koppelvlakservices/1.2/">
<soap:Header>
<wsse:Security xmlns:wsse="${WSSE}" soap:mustUnderstand="1">${timestamp}<wsse:BinarySecurityToken EncodingType="${B64}" ValueType="${X509V3}" wsu:Id="X509-1">${der}</wsse:BinarySecurityToken></wsse:Security>
<wsa:To wsu:Id="id-to">${ENDPOINT}</wsa:To>
<wsa:Action wsu:Id="id-action">${ACTION}</wsa:Action>
<wsa:MessageID wsu:Id="id-msg">urn:uuid:4d3c2b1a-0000-4000-8000-000000000001</wsa:MessageID>${options.extraAddressing ?? ''}
</soap:Header>
<soap:Body wsu:Id="id-body">
<aan:aanleverRequest>
<aan:berichtsoort>Omzetbelasting</aan:berichtsoort>
<aan:aanleverkenmerk>AK-2025-0001</aan:aanleverkenmerk>
<aan:identiteitBelanghebbende><aan:nummer>001000044B37</aan:nummer><aan:type>Fi</aan:type></aan:identiteitBelanghebbende>
<aan:rolBelanghebbende>Bedrijf</aan:rolBelanghebbende>
<aan:berichtInhoud><aan:mimeType>text/xml</aan:mimeType><aan:bestandsnaam>omzetbelasting.xbrl</aan:bestandsnaam><aan:inhoud>${payload}</aan:inhoud></aan:berichtInhoud>
<aan:autorisatieAdres>http://geenausp.nl</aan:autorisatieAdres>
</aan:aanleverRequest>
</soap:Body>
</soap:Envelope>`;
}

export interface XmlCryptoSignOptions {
  privateKeyPem: string;
  /** XPath of each signed element; default Timestamp, To, Action, MessageID, Body. */
  references?: string[];
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  transforms?: string[];
  /** InclusiveNamespaces PrefixList for SignedInfo and every reference transform (as WSS4J writes it). */
  prefixList?: string[];
}

export const PROFILE_REFERENCES = [
  "//*[local-name(.)='Timestamp']",
  "//*[local-name(.)='To']",
  "//*[local-name(.)='Action']",
  "//*[local-name(.)='MessageID']",
  "//*[local-name(.)='Body']",
];

/** Signs like a Digikoppeling client would, with xml-crypto: exc-c14n, one reference per part, BST reference in KeyInfo. */
export function signWithXmlCrypto(xml: string, options: XmlCryptoSignOptions): string {
  const sig = new SignedXml({
    privateKey: options.privateKeyPem,
    idMode: 'wssecurity',
    canonicalizationAlgorithm: EXC_C14N,
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    ...(options.prefixList === undefined ? {} : { inclusiveNamespacesPrefixList: options.prefixList }),
    getKeyInfoContent: () =>
      `<wsse:SecurityTokenReference xmlns:wsse="${WSSE}"><wsse:Reference URI="#X509-1" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`,
  });
  for (const xpath of options.references ?? PROFILE_REFERENCES) {
    sig.addReference({
      xpath, transforms: options.transforms ?? [EXC_C14N], digestAlgorithm: options.digestAlgorithm ?? SHA256,
      ...(options.prefixList === undefined ? {} : { inclusiveNamespacesPrefixList: options.prefixList }),
    });
  }
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Security']", action: 'append' } });
  return sig.getSignedXml();
}
