import { createHash, createPrivateKey, randomUUID, sign as rsaSign, X509Certificate, type KeyObject } from 'node:crypto';
import { canonicalizeExclusive, withXmlDocument, type XmlElement } from '@poort/xml';
import { DIGEST_SHA256, SIGNATURE_RSA_SHA256 } from './algorithms.js';
import { attributeNS, elementChildren, isElement, qname } from './dom.js';
import { WsSecurityError } from './errors.js';
import { indexIds } from './id-index.js';
import { BASE64_BINARY_ENCODING, EXC_C14N_ALGORITHM, NS, X509V3_VALUE_TYPE } from './namespaces.js';

export interface SigningCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

export interface SignResponseOptions {
  /** The request's ds:SignatureValue (base64), echoed as wsse11:SignatureConfirmation/@Value (WB014). */
  signatureConfirmation?: string;
  now?: Date;
  /** Expires = Created + ttlMs; default 5 minutes. */
  ttlMs?: number;
}

const DEFAULT_TTL_MS = 300_000;

interface SigningKey {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

/**
 * The parsed and checked pair, per credentials object: reading the PEM texts and matching key to certificate cost half
 * as much as the RSA signature itself, on every response. Kept only while the object holds the same texts.
 */
const signingKeys = new WeakMap<SigningCredentials, SigningKey>();

function signingKeyOf(credentials: SigningCredentials): SigningKey {
  const known = signingKeys.get(credentials);
  if (known && known.certificatePem === credentials.certificatePem && known.privateKeyPem === credentials.privateKeyPem) return known;
  const certificate = new X509Certificate(credentials.certificatePem);
  const privateKey = createPrivateKey(credentials.privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(privateKey)) {
    throw new WsSecurityError('WSS_TOKEN', 'The signing key must be the RSA private key of the signing certificate');
  }
  const key = { certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKeyPem, certificate, privateKey };
  signingKeys.set(credentials, key);
  return key;
}

/**
 * Signs an unsigned SOAP 1.1 response envelope (soap:Header with WS-Addressing headers, soap:Body): adds wsu:Id
 * to Body and each wsa header, a wsse:Security header (mustUnderstand="1") with wsu:Timestamp, an X509v3
 * BinarySecurityToken, an optional wsse11:SignatureConfirmation and a ds:Signature (exc-c14n, RSA-SHA256,
 * SHA-256 digests, one Reference per signed part including the SignatureConfirmation).
 *
 * @throws {WsSecurityError} WSS_ENVELOPE for an envelope that is not unsigned SOAP 1.1 with only WS-Addressing
 *   headers; WSS_TOKEN for a certificate/key that is not a matching RSA pair.
 */
export function signSoapResponse(
  unsignedEnvelope: string,
  credentials: SigningCredentials,
  options: SignResponseOptions = {},
): string {
  const { certificate, privateKey } = signingKeyOf(credentials);
  const created = options.now ?? new Date();
  const expires = new Date(created.getTime() + (options.ttlMs ?? DEFAULT_TTL_MS));

  const securityMarker = newId('POORT-WSS-SECURITY');
  const signatureMarker = newId('POORT-WSS-SIGNATURE');

  // Pass 1 (tree): wsu:Id on Body and the wsa headers, an empty wsse:Security with its namespace declarations.
  // Only prefixed attributes are set on the tree: libxml2-wasm's setAttr puts an unprefixed attribute into the
  // default namespace in scope, which the serializer does not show, so digests over the tree would not match.
  let prefixes: { wsse: string; wsu: string; ds: string; wsse11: string } | undefined;
  const signedIds: string[] = [];
  const withSecurity = withXmlDocument(unsignedEnvelope, (doc) => {
    const envelope = doc.root;
    if (!isElement(envelope, NS.soap11, 'Envelope')) throw new WsSecurityError('WSS_ENVELOPE', 'Not a SOAP 1.1 envelope');
    const { header, body } = headerAndBody(envelope);
    const addressing: XmlElement[] = [];
    for (const block of elementChildren(header, 'WSS_ENVELOPE')) {
      if (block.namespaceUri !== NS.wsa) {
        throw new WsSecurityError('WSS_ENVELOPE', `Cannot sign a response with header block ${qname(block)}: only WS-Addressing headers`);
      }
      addressing.push(block);
    }
    for (const element of [...addressing, body]) signedIds.push(ensureWsuId(element, 'id'));

    const wsse = ensurePrefix(header, NS.wsse, 'wsse');
    const first = header.firstChild;
    const security = first === null ? header.addElement('Security', wsse) : first.prependElement('Security', wsse);
    security.setAttr('mustUnderstand', '1', ensurePrefix(security, NS.soap11, envelope.prefix === '' ? 'soapenv' : envelope.prefix));
    prefixes = {
      wsse,
      wsu: ensurePrefix(security, NS.wsu, 'wsu'),
      ds: ensurePrefix(security, NS.ds, 'ds'),
      wsse11: options.signatureConfirmation === undefined ? 'wsse11' : ensurePrefix(security, NS.wsse11, 'wsse11'),
    };
    security.addText(securityMarker);
    return doc.toString({ format: false });
  });
  if (prefixes === undefined) throw new Error('unreachable: the envelope was not processed');
  const { wsse, wsu, ds, wsse11 } = prefixes;

  // Pass 2 (text): the security header's content, written out, with a place for the signature.
  const timestampId = newId('TS');
  const tokenId = newId('X509');
  const confirmationId = newId('SC');
  const parts = [
    `<${wsu}:Timestamp ${wsu}:Id="${timestampId}"><${wsu}:Created>${created.toISOString()}</${wsu}:Created>`
      + `<${wsu}:Expires>${expires.toISOString()}</${wsu}:Expires></${wsu}:Timestamp>`,
    `<${wsse}:BinarySecurityToken EncodingType="${BASE64_BINARY_ENCODING}" ValueType="${X509V3_VALUE_TYPE}" ${wsu}:Id="${tokenId}">`
      + `${certificate.raw.toString('base64')}</${wsse}:BinarySecurityToken>`,
  ];
  signedIds.unshift(timestampId);
  if (options.signatureConfirmation !== undefined) {
    parts.push(`<${wsse11}:SignatureConfirmation ${wsu}:Id="${confirmationId}" Value="${escapeAttribute(options.signatureConfirmation)}"/>`);
    signedIds.push(confirmationId);
  }
  parts.push(signatureMarker);
  const withContent = replaceOnce(withSecurity, securityMarker, parts.join(''));

  // Pass 3: digests over the parsed result, exactly what a verifier will see; then SignedInfo and its signature.
  const references = withXmlDocument(withContent, (doc) => {
    const ids = indexIds(doc);
    return signedIds.map((id) => {
      const element = ids.get(id);
      if (element === undefined) throw new Error(`unreachable: #${id} vanished while signing`);
      const digest = createHash('sha256').update(canonicalizeExclusive(element)).digest('base64');
      return `<${ds}:Reference URI="#${id}"><${ds}:Transforms><${ds}:Transform Algorithm="${EXC_C14N_ALGORITHM}"></${ds}:Transform></${ds}:Transforms>`
        + `<${ds}:DigestMethod Algorithm="${DIGEST_SHA256}"></${ds}:DigestMethod><${ds}:DigestValue>${digest}</${ds}:DigestValue></${ds}:Reference>`;
    });
  });
  // Written in its exclusive canonical form, which is also its canonical form in the document (exc-c14n renders only
  // the ds namespace here, declared on SignedInfo itself), so it is signed as written: no parse needed. The tests check
  // it against libxml2's canonicalisation and against xml-crypto.
  const signedInfo = `<${ds}:SignedInfo xmlns:${ds}="${NS.ds}"><${ds}:CanonicalizationMethod Algorithm="${EXC_C14N_ALGORITHM}"></${ds}:CanonicalizationMethod>`
    + `<${ds}:SignatureMethod Algorithm="${SIGNATURE_RSA_SHA256}"></${ds}:SignatureMethod>${references.join('')}</${ds}:SignedInfo>`;
  const signatureValue = rsaSign('sha256', Buffer.from(signedInfo, 'utf8'), privateKey).toString('base64');
  const signature = `<${ds}:Signature>${signedInfo}<${ds}:SignatureValue>${signatureValue}</${ds}:SignatureValue>`
    + `<${ds}:KeyInfo><${wsse}:SecurityTokenReference><${wsse}:Reference URI="#${tokenId}" ValueType="${X509V3_VALUE_TYPE}"/>`
    + `</${wsse}:SecurityTokenReference></${ds}:KeyInfo></${ds}:Signature>`;
  return replaceOnce(withContent, signatureMarker, signature);
}

function replaceOnce(text: string, marker: string, replacement: string): string {
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + marker.length) >= 0) throw new Error('unreachable: signing marker not found exactly once');
  return text.slice(0, at) + replacement + text.slice(at + marker.length);
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function headerAndBody(envelope: XmlElement): { header: XmlElement; body: XmlElement } {
  const children = elementChildren(envelope, 'WSS_ENVELOPE');
  const [first, second, ...rest] = children;
  if (rest.length > 0) throw new WsSecurityError('WSS_ENVELOPE', 'The envelope has more than a soap:Header and a soap:Body');
  if (isElement(first, NS.soap11, 'Header') && isElement(second, NS.soap11, 'Body')) {
    if (elementChildren(first, 'WSS_ENVELOPE').some((block) => isElement(block, NS.wsse, 'Security'))) {
      throw new WsSecurityError('WSS_ENVELOPE', 'The envelope already has a wsse:Security header');
    }
    return { header: first, body: second };
  }
  if (isElement(first, NS.soap11, 'Body') && second === undefined) {
    const header = first.prependElement('Header', envelope.prefix === '' ? undefined : envelope.prefix);
    return { header, body: first };
  }
  throw new WsSecurityError('WSS_ENVELOPE', 'The envelope must hold a soap:Header (optional) and a soap:Body');
}

/** A prefix bound to `uri` at `element`: an existing binding, else a new declaration on `element`. */
function ensurePrefix(element: XmlElement, uri: string, preferred: string): string {
  for (let i = 0; ; i += 1) {
    const prefix = i === 0 ? preferred : `${preferred}${i}`;
    const bound = element.namespaceForPrefix(prefix);
    if (bound === uri) return prefix;
    if (bound === null) {
      element.addNsDeclaration(uri, prefix);
      return prefix;
    }
  }
}

function ensureWsuId(element: XmlElement, kind: string): string {
  const existing = attributeNS(element, NS.wsu, 'Id');
  if (existing !== undefined) return existing;
  const id = newId(kind);
  element.setAttr('Id', id, ensurePrefix(element, NS.wsu, 'wsu'));
  return id;
}

function newId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}
