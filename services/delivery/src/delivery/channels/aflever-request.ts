import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import { encryptForRecipient, type RecipientCertificate } from '@poort/recipient-encryption';
import { AfleverRequestError, type AdditioneelElement, type AfleverRequest, type Bestand } from '@poort/wus';

import { koppelvlakFields } from '../koppelvlak-fields.js';
import type { DeliveryAttempt } from './delivery-channel.js';

/** What the XSD allows as inhoud. */
const MAX_CONTENT_BYTES = 20_971_520;

/**
 * The afleverRequest for an attempt: the envelope's fields, the rendition this recipient gets as berichtInhoud, the
 * attachments when the profile wants them (koppelvlakFields). What the afleverRequest has no field for travels as
 * additioneleElementen.
 */
export async function afleverRequestOf(
  { envelope, payload, content, attachments, read }: DeliveryAttempt,
  encryptTo: RecipientCertificate | undefined,
): Promise<AfleverRequest> {
  const bytes = Buffer.isBuffer(content) ? content : await readAll(content, MAX_CONTENT_BYTES);
  const bijlagen: Bestand[] = [];
  for (const ref of attachments) bijlagen.push(await bestand(ref, await read(ref), encryptTo));
  return {
    ...koppelvlakFields(envelope),
    berichtInhoud: await bestand(payload, bytes, encryptTo),
    ...(bijlagen.length > 0 ? { berichtBijlagen: bijlagen } : {}),
    additioneleElementenLijst: extras(envelope, payload),
  };
}

function extras(envelope: Envelope, payload: PayloadRef): AdditioneelElement[] {
  return [
    { naam: 'inhoudSha256', waarde: payload.sha256 },
    ...(envelope.eerderAanleverkenmerk === undefined ? [] : [{ naam: 'eerderAanleverkenmerk', waarde: envelope.eerderAanleverkenmerk }]),
    ...(envelope.autorisatieAdres === undefined ? [] : [{ naam: 'autorisatieAdres', waarde: envelope.autorisatieAdres }]),
  ];
}

/** A file as the koppelvlak carries it: base64, as is or as an xenc:EncryptedData for the recipient (its MimeType the file's). */
async function bestand(ref: PayloadRef, bytes: Buffer, encryptTo: RecipientCertificate | undefined): Promise<Bestand> {
  if (!encryptTo) return { mimeType: ref.mimeType, bestandsnaam: ref.bestandsnaam, inhoud: bytes.toString('base64') };
  const encrypted = await encryptForRecipient(bytes, encryptTo, { format: 'xmlenc', mimeType: ref.mimeType });
  return { mimeType: encrypted.mediaType, bestandsnaam: ref.bestandsnaam, inhoud: encrypted.bytes.toString('base64') };
}

async function readAll(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).byteLength;
    if (length > maxBytes) {
      stream.destroy();
      throw new AfleverRequestError(`de inhoud is groter dan ${maxBytes} bytes, het maximum van het koppelvlak`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
