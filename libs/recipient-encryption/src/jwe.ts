import { CompactEncrypt } from 'jose';

import { checkMimeType } from './mime-type.js';
import type { RecipientCertificate } from './recipient-certificate.js';

/*
 * JWE (RFC 7516) in the COMPACT serialization: one recipient, one token, which a REST channel sends as the body with
 * `Content-Type: application/jose`. Key management RSA-OAEP-256 (OAEP with SHA-256 and MGF1-SHA-256) and content
 * encryption A256GCM, the JOSE counterparts of the XML Encryption choice. The protected header names the recipient's
 * certificate by its SHA-256 thumbprint, both as `x5t#S256` and as `kid`, and carries the plaintext's MIME type as `cty`.
 */

export const JWE_ALGORITHMS = { keyManagement: 'RSA-OAEP-256', content: 'A256GCM' } as const;

/** The media type of a JWE in compact serialization (RFC 7516 §9.2.1). */
export const JWE_COMPACT_MEDIA_TYPE = 'application/jose';

export interface JweOptions {
  /** The MIME type of the plaintext; becomes the `cty` header parameter. */
  mimeType?: string;
}

/** Encrypts `content` for the recipient as a JWE compact serialization (ASCII, as bytes). */
export async function encryptJwe(content: Uint8Array, recipient: RecipientCertificate, options: JweOptions = {}): Promise<Buffer> {
  const mimeType = options.mimeType === undefined ? undefined : checkMimeType(options.mimeType);
  const token = await new CompactEncrypt(content)
    .setProtectedHeader({
      alg: JWE_ALGORITHMS.keyManagement,
      enc: JWE_ALGORITHMS.content,
      kid: recipient.sha256Thumbprint,
      'x5t#S256': recipient.sha256Thumbprint,
      ...(mimeType !== undefined ? { cty: mimeType } : {}),
    })
    .encrypt(recipient.publicKey);
  return Buffer.from(token, 'ascii');
}
