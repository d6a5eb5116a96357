import type { Readable } from 'node:stream';

import type { Envelope, PayloadRef } from '@poort/contracts';
import { AfleverRequestError, type AdditioneelElement, type AfleverRequest, type Bestand } from '@poort/wus';

import type { DeliveryAttempt } from './delivery-channel.js';

/** What the XSD allows as inhoud. */
const MAX_CONTENT_BYTES = 20_971_520;

/** Where the attachments' bytes come from (the payload store). */
export interface AttachmentSource {
  read(ref: PayloadRef): Promise<Buffer>;
}

/**
 * The afleverRequest for an attempt: the envelope's fields, the rendition this recipient gets as berichtInhoud, the
 * attachments when the profile wants them. berichtkenmerk is Poort's kenmerk: it is the unique id of the
 * submission (Poort keeps no other message id of a submission). What the afleverRequest has no field for travels as
 * additioneleElementen.
 */
export async function afleverRequestOf({ recipient, envelope, payload, content }: DeliveryAttempt, attachments: AttachmentSource): Promise<AfleverRequest> {
  const bytes = Buffer.isBuffer(content) ? content : await readAll(content, MAX_CONTENT_BYTES);
  const bijlagen: Bestand[] = [];
  if (recipient.attachments) {
    for (const ref of envelope.attachments) bijlagen.push(bestand(ref, await attachments.read(ref)));
  }
  return {
    kenmerk: envelope.kenmerk,
    berichtsoort: envelope.berichtsoort,
    berichtkenmerk: envelope.kenmerk,
    ...(envelope.aanleverkenmerk === undefined ? {} : { aanleverkenmerk: envelope.aanleverkenmerk }),
    tijdstempelAangeleverd: envelope.tijdstempelAangeleverd,
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    rolBelanghebbende: envelope.rolBelanghebbende,
    identiteitAanleveraar: envelope.sender.oin,
    ...(envelope.identiteitOntvanger === undefined ? {} : { identiteitOntvanger: envelope.identiteitOntvanger }),
    ...(envelope.rolOntvanger === undefined ? {} : { rolOntvanger: envelope.rolOntvanger }),
    berichtInhoud: bestand(payload, bytes),
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

const bestand = (ref: PayloadRef, bytes: Buffer): Bestand => ({ mimeType: ref.mimeType, bestandsnaam: ref.bestandsnaam, inhoud: bytes.toString('base64') });

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
