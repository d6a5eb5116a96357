import { randomUUID } from 'node:crypto';

import type { PayloadRef } from '@poort/contracts';
import { encryptForRecipient, type RecipientCertificate } from '@poort/recipient-encryption';

import { contentDisposition } from './header-encoding.js';

/** A file of the message as it travels: the content (inhoud) or an attachment (bijlage), its bytes in hand. */
export interface DeliveredFile {
  readonly role: 'inhoud' | 'bijlage';
  readonly ref: PayloadRef;
  readonly bytes: Buffer;
}

export interface PackagedBody {
  readonly body: Buffer;
  /** What replaces the plain content's content-type and content-length. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The media type of a JWE in compact serialization (RFC 7516). */
const JOSE = 'application/jose';

/**
 * A REST delivery that is more than its content as is. Encrypted (the profile's `encrypt`): each file becomes a JWE
 * (RSA-OAEP-256 + A256GCM to the recipient's certificate, `cty` its own MIME type), sent as application/jose. With
 * attachments (the profile's `attachments`, when the message has any): a multipart/mixed body (RFC 2046), the content
 * first, each part with its file name, role, MIME type and SHA-256 (of the plain bytes, encrypted or not).
 */
export async function packagedBody(files: readonly DeliveredFile[], encryptTo: RecipientCertificate | undefined): Promise<PackagedBody> {
  const parts = await Promise.all(files.map((file) => sealed(file, encryptTo)));
  if (parts.length === 1) {
    const [only] = parts;
    return { body: only!.bytes, headers: { 'content-type': only!.contentType, 'x-poort-content-type': files[0]!.ref.mimeType } };
  }
  const boundary = `poort-${randomUUID()}`;
  const chunks: Buffer[] = [];
  parts.forEach((part, index) => {
    const { role, ref } = files[index]!;
    const head = [
      `--${boundary}`,
      `Content-Type: ${part.contentType}`,
      `Content-Disposition: ${contentDisposition(ref.bestandsnaam)}`,
      `Content-Length: ${part.bytes.byteLength}`,
      `X-Poort-Role: ${role}`,
      `X-Poort-Content-Type: ${ref.mimeType}`,
      `X-Poort-Content-Sha256: ${ref.sha256}`,
    ];
    chunks.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), part.bytes, Buffer.from('\r\n', 'latin1'));
  });
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/mixed; boundary="${boundary}"` } };
}

async function sealed(file: DeliveredFile, encryptTo: RecipientCertificate | undefined): Promise<{ bytes: Buffer; contentType: string }> {
  if (!encryptTo) return { bytes: file.bytes, contentType: file.ref.mimeType };
  const encrypted = await encryptForRecipient(file.bytes, encryptTo, { format: 'jwe', mimeType: file.ref.mimeType });
  return { bytes: encrypted.bytes, contentType: JOSE };
}
