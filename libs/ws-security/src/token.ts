import { type KeyObject, X509Certificate } from 'node:crypto';
import type { XmlElement } from '@poort/xml';
import { attributeNS, decodeBase64, elementChildren, isElement, textOnly } from './dom.js';
import { WsSecurityError } from './errors.js';
import { BASE64_BINARY_ENCODING, NS, X509V3_VALUE_TYPE } from './namespaces.js';

export interface SigningToken {
  /** wsu:Id of the BinarySecurityToken, what KeyInfo must point at. */
  id: string;
  certificate: X509Certificate;
  publicKey: KeyObject;
}

const MIN_RSA_BITS = 2048;
const CACHE_SIZE = 256;
// Parsed certificates by their exact base64 text: clients send the same certificate with every message.
const parsed = new Map<string, { certificate: X509Certificate; publicKey: KeyObject }>();

/** wsse:BinarySecurityToken: X509v3, Base64Binary, with a wsu:Id, holding one RSA (≥ 2048 bit) certificate. */
export function readBinarySecurityToken(token: XmlElement): SigningToken {
  if (token.attr('ValueType')?.value !== X509V3_VALUE_TYPE) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:BinarySecurityToken/@ValueType must be X509v3');
  }
  if (token.attr('EncodingType')?.value !== BASE64_BINARY_ENCODING) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:BinarySecurityToken/@EncodingType must be Base64Binary');
  }
  const id = attributeNS(token, NS.wsu, 'Id');
  if (id === undefined) throw new WsSecurityError('WSS_TOKEN', 'wsse:BinarySecurityToken has no wsu:Id');
  const text = textOnly(token, 'WSS_TOKEN');
  let entry = parsed.get(text);
  if (entry === undefined) {
    entry = parseCertificate(text);
    if (parsed.size >= CACHE_SIZE) {
      const oldest = parsed.keys().next();
      if (oldest.done !== true) parsed.delete(oldest.value);
    }
    parsed.set(text, entry);
  }
  return { id, ...entry };
}

function parseCertificate(text: string): { certificate: X509Certificate; publicKey: KeyObject } {
  const der = decodeBase64(text);
  if (der === undefined) throw new WsSecurityError('WSS_TOKEN', 'wsse:BinarySecurityToken is not valid base64');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch (error) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:BinarySecurityToken does not hold an X.509 certificate', { cause: error });
  }
  const publicKey = certificate.publicKey;
  // The signature methods are RSA PKCS#1 v1.5 only: an EC or PSS key here would change what crypto.verify checks.
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new WsSecurityError('WSS_TOKEN', `The signing certificate has a ${publicKey.asymmetricKeyType ?? 'unknown'} key; RSA is required`);
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new WsSecurityError('WSS_TOKEN', `The signing certificate's RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  return { certificate, publicKey };
}

/** ds:KeyInfo → wsse:SecurityTokenReference → wsse:Reference URI="#id" (direct reference, WB010); returns the id. */
export function readKeyInfoReference(keyInfo: XmlElement): string {
  const [str, ...more] = elementChildren(keyInfo, 'WSS_TOKEN');
  if (!isElement(str, NS.wsse, 'SecurityTokenReference') || more.length > 0) {
    throw new WsSecurityError('WSS_TOKEN', 'ds:KeyInfo must hold exactly one wsse:SecurityTokenReference');
  }
  const [reference, ...others] = elementChildren(str, 'WSS_TOKEN');
  if (!isElement(reference, NS.wsse, 'Reference') || others.length > 0) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:SecurityTokenReference must hold exactly one direct wsse:Reference to the BinarySecurityToken');
  }
  const valueType = reference.attr('ValueType')?.value;
  if (valueType !== undefined && valueType !== X509V3_VALUE_TYPE) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:Reference/@ValueType must be X509v3');
  }
  const uri = reference.attr('URI')?.value;
  if (uri === undefined || !uri.startsWith('#') || uri.length < 2) {
    throw new WsSecurityError('WSS_TOKEN', 'wsse:Reference/@URI must be a same-document reference "#id"');
  }
  return uri.slice(1);
}
