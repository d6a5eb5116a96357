import { encryptJwe, JWE_COMPACT_MEDIA_TYPE } from './jwe.js';
import { loadRecipientCertificate, type RecipientCertificate, type RecipientCertificateSource } from './recipient-certificate.js';
import { RecipientEncryptionError } from './recipient-encryption-error.js';
import { encryptXml, XMLENC_MEDIA_TYPE } from './xml-encryption.js';

/** `xmlenc`: an XML Encryption 1.1 EncryptedData element (WUS, or any XML recipient); `jwe`: a compact JWE (REST). */
export type RecipientEncryptionFormat = 'xmlenc' | 'jwe';

export interface EncryptForRecipientOptions {
  format: RecipientEncryptionFormat;
  /** The MIME type of the plaintext (berichtInhoud/bijlage mimeType); recorded inside the encrypted form. */
  mimeType?: string;
  /** The moment the certificate's validity is checked against; default now. */
  now?: Date;
}

/** Content encrypted for one recipient. */
export interface EncryptedForRecipient {
  format: RecipientEncryptionFormat;
  /** The encrypted form: UTF-8 XML for `xmlenc`, ASCII for `jwe`. */
  bytes: Buffer;
  /** The media type of `bytes`: `application/xenc+xml` or `application/jose`. */
  mediaType: string;
  /** The plaintext's MIME type, as given. */
  mimeType: string | undefined;
  /** base64url SHA-256 of the recipient certificate the content key was wrapped for. */
  recipientThumbprint: string;
}

/**
 * Encrypts a payload or an attachment for a recipient. `recipient` is best loaded once with
 * `readRecipientCertificate`/`loadRecipientCertificate`; PEM/DER/X509Certificate is read and checked on each call.
 * Throws {@link RecipientEncryptionError} for an unusable certificate, MIME type or format.
 */
export async function encryptForRecipient(
  content: Uint8Array,
  recipient: RecipientCertificate | RecipientCertificateSource,
  options: EncryptForRecipientOptions,
): Promise<EncryptedForRecipient> {
  const certificate = loadRecipientCertificate(recipient, options.now === undefined ? {} : { now: options.now });
  const mimeType = options.mimeType;
  switch (options.format) {
    case 'xmlenc':
      return {
        format: 'xmlenc',
        bytes: encryptXml(content, certificate, { mimeType }),
        mediaType: XMLENC_MEDIA_TYPE,
        mimeType,
        recipientThumbprint: certificate.sha256Thumbprint,
      };
    case 'jwe':
      return {
        format: 'jwe',
        bytes: await encryptJwe(content, certificate, { mimeType }),
        mediaType: JWE_COMPACT_MEDIA_TYPE,
        mimeType,
        recipientThumbprint: certificate.sha256Thumbprint,
      };
    default:
      throw new RecipientEncryptionError('UNKNOWN_FORMAT', `unknown encryption format '${String(options.format)}' (xmlenc or jwe)`);
  }
}
