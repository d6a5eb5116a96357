import { createCipheriv, constants, publicEncrypt, randomBytes } from 'node:crypto';

import { checkMimeType } from './mime-type.js';
import type { RecipientCertificate } from './recipient-certificate.js';
import { escapeXml } from './xml-markup.js';

/*
 * XML Encryption 1.1 (W3C, 2013) as the Digikoppeling crypto baseline asks: AES-256-GCM for the content, the content
 * key wrapped with RSA-OAEP for the recipient's certificate. The OAEP variant is the XML Encryption 1.1 identifier
 * with SHA-256 as both the OAEP digest and the MGF1 hash (SHA-2 only, like every other digest in Poort). The older
 * `xmlenc#rsa-oaep-mgf1p` identifier fixes MGF1 to SHA-1, which is why it is not used.
 */

export const XMLENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
export const XMLENC11_NS = 'http://www.w3.org/2009/xmlenc11#';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export const XMLENC_ALGORITHMS = {
  content: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  keyTransport: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  mgf: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
  digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** The registered media type of an XML Encryption document (XML Encryption Syntax, appendix "application/xenc+xml"). */
export const XMLENC_MEDIA_TYPE = 'application/xenc+xml';

const AES_256_GCM_IV_BYTES = 12;
const AES_256_KEY_BYTES = 32;

export interface XmlEncryptionOptions {
  /** The MIME type of the plaintext; becomes the `MimeType` attribute. */
  mimeType?: string;
}

/**
 * Encrypts `content` for the recipient as one `xenc:EncryptedData` element (UTF-8, no XML declaration, so it can be
 * embedded in another document or sent on its own). A fresh AES-256 key and 96-bit IV per call; the CipherValue is
 * IV ‖ ciphertext ‖ 128-bit tag as XML Encryption 1.1 §5.2.4 prescribes. The recipient's certificate travels in
 * KeyInfo (X509IssuerSerial and X509Certificate) so the recipient knows which of its keys to use.
 *
 * The plaintext is always octets, described by `MimeType` only, never `Type="…#Element"`/`"…#Content"`, even for XML:
 * a decryptor told Type=Content parses the plaintext back into a parent document (xmlsec1 then fails on an XML
 * declaration and otherwise re-serializes), while a payload must reach the recipient byte for byte.
 */
export function encryptXml(content: Uint8Array, recipient: RecipientCertificate, options: XmlEncryptionOptions = {}): Buffer {
  const mimeType = options.mimeType === undefined ? undefined : checkMimeType(options.mimeType);
  const contentKey = randomBytes(AES_256_KEY_BYTES);
  try {
    const iv = randomBytes(AES_256_GCM_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', contentKey, iv);
    const cipherValue = Buffer.concat([iv, cipher.update(content), cipher.final(), cipher.getAuthTag()]);
    const wrappedKey = publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, contentKey);
    return Buffer.from(encryptedDataMarkup({ mimeType, cipherValue, wrappedKey, recipient }), 'utf8');
  } finally {
    contentKey.fill(0);
  }
}

interface EncryptedDataParts {
  mimeType: string | undefined;
  cipherValue: Buffer;
  wrappedKey: Buffer;
  recipient: RecipientCertificate;
}

function encryptedDataMarkup({ mimeType, cipherValue, wrappedKey, recipient }: EncryptedDataParts): string {
  const attributes = [
    `xmlns:xenc="${XMLENC_NS}"`,
    `xmlns:xenc11="${XMLENC11_NS}"`,
    `xmlns:ds="${XMLDSIG_NS}"`,
    ...(mimeType !== undefined ? [`MimeType="${escapeXml(mimeType)}"`] : []),
  ];
  const { certificate } = recipient;
  return (
    `<xenc:EncryptedData ${attributes.join(' ')}>` +
    `<xenc:EncryptionMethod Algorithm="${XMLENC_ALGORITHMS.content}"/>` +
    '<ds:KeyInfo>' +
    '<xenc:EncryptedKey>' +
    `<xenc:EncryptionMethod Algorithm="${XMLENC_ALGORITHMS.keyTransport}">` +
    `<xenc11:MGF Algorithm="${XMLENC_ALGORITHMS.mgf}"/>` +
    `<ds:DigestMethod Algorithm="${XMLENC_ALGORITHMS.digest}"/>` +
    '</xenc:EncryptionMethod>' +
    '<ds:KeyInfo>' +
    '<ds:X509Data>' +
    '<ds:X509IssuerSerial>' +
    `<ds:X509IssuerName>${escapeXml(rfc4514(certificate.issuer))}</ds:X509IssuerName>` +
    `<ds:X509SerialNumber>${BigInt(`0x${certificate.serialNumber}`).toString(10)}</ds:X509SerialNumber>` +
    '</ds:X509IssuerSerial>' +
    `<ds:X509Certificate>${certificate.raw.toString('base64')}</ds:X509Certificate>` +
    '</ds:X509Data>' +
    '</ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedKey>' +
    '</ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${cipherValue.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedData>'
  );
}

/**
 * Node prints a distinguished name one RDN per line in certificate order, values already escaped as RFC 2253/4514
 * want; RFC 4514 (what X509IssuerName holds) lists the RDNs in reverse, separated by commas.
 */
function rfc4514(printed: string): string {
  return printed.split('\n').reverse().join(',');
}
