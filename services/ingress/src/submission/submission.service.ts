import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { FOUTCODE, STATUS, STATUS_DEFINITIONS, TOPICS, type AanleverResponse, type Envelope, type PayloadRef } from '@poort/contracts';
import { OutboxRelay, enqueueOutbox, withTransaction, type Pool, type Queryable } from '@poort/message-state';
import { MessageCatalog, type MessageType } from '@poort/message-types';
import { DB_POOL } from '@poort/nest-kit';
import { PayloadStore, PayloadTooLargeError } from '@poort/payload-store';
import { Emissions } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';

import type { AanleverRequest } from './aanlever-request.dto.js';
import { MessagesRepository } from './messages.repository.js';
import { SubmissionRefused } from './submission-errors.js';

type Bestand = AanleverRequest['berichtInhoud'];

/**
 * The one use case behind every submission channel (REST now, WUS next): check the envelope, store content
 * and message record and the first events in one transaction, and only then answer with the kenmerk.
 */
@Injectable()
export class SubmissionService {
  constructor(
    @Inject(DB_POOL) private readonly pool: Pool,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
    private readonly messages: MessagesRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async submit(sender: ClientIdentity, request: AanleverRequest): Promise<AanleverResponse> {
    const type = this.catalog.find(request.berichtsoort);
    if (!type) throw new SubmissionRefused(400, FOUTCODE.interfaceSpecificatie, `berichtsoort ${request.berichtsoort} is onbekend`);
    if (request.kenmerk !== undefined) {
      throw new SubmissionRefused(400, FOUTCODE.interfaceSpecificatie, 'kenmerk is assigned by Poort and must not be sent');
    }
    const files = [request.berichtInhoud, ...(request.berichtBijlagen ?? [])];
    for (const file of files) this.checkMimeType(type, file);

    const tijdstempelAangeleverd = new Date().toISOString();
    const kenmerk = randomUUID();
    const out = new Emissions();
    const envelope = await withTransaction(this.pool, async (tx) => {
      const [content, ...attachments] = await Promise.all(files.map((file) => this.store(tx, type, file)));
      const envelope: Envelope = {
        kenmerk,
        berichtsoort: type.berichtsoort,
        aanleverkenmerk: request.aanleverkenmerk,
        eerderAanleverkenmerk: request.eerderAanleverkenmerk,
        sender: { oin: sender.oin, certificateFingerprint: sender.fingerprintSha256 },
        identiteitBelanghebbende: request.identiteitBelanghebbende,
        rolBelanghebbende: request.rolBelanghebbende,
        identiteitOntvanger: request.identiteitOntvanger,
        rolOntvanger: request.rolOntvanger,
        content: content!,
        attachments,
        tijdstempelAangeleverd,
      };
      await this.messages.insert(tx, envelope);
      out.status(envelope, { code: STATUS.ontvangen, at: new Date(tijdstempelAangeleverd) });
      out.emit(TOPICS.received, { eventId: randomUUID(), occurredAt: tijdstempelAangeleverd, envelope });
      out.status(envelope, { code: STATUS.aangebodenVoorVerwerking });
      await enqueueOutbox(tx, 'ingress', out.records);
      return envelope;
    });
    this.relay.kick();
    return {
      kenmerk,
      berichtsoort: envelope.berichtsoort,
      ...(envelope.aanleverkenmerk ? { aanleverkenmerk: envelope.aanleverkenmerk } : {}),
      ...(envelope.eerderAanleverkenmerk ? { eerderAanleverkenmerk: envelope.eerderAanleverkenmerk } : {}),
      tijdstempelAangeleverd,
      identiteitBelanghebbende: envelope.identiteitBelanghebbende,
      rolBelanghebbende: envelope.rolBelanghebbende,
      ...(envelope.identiteitOntvanger ? { identiteitOntvanger: envelope.identiteitOntvanger } : {}),
      ...(envelope.rolOntvanger ? { rolOntvanger: envelope.rolOntvanger } : {}),
      statuscode: STATUS.ontvangen,
      statusomschrijving: STATUS_DEFINITIONS[STATUS.ontvangen].omschrijving,
    };
  }

  private checkMimeType(type: MessageType, file: Bestand): void {
    if (!type.content.mimeTypes.includes(file.mimeType)) {
      throw new SubmissionRefused(
        415,
        FOUTCODE.interfaceSpecificatie,
        `mimeType ${file.mimeType} of ${file.bestandsnaam} is not accepted for ${type.berichtsoort} (accepted: ${type.content.mimeTypes.join(', ')})`,
      );
    }
  }

  private async store(tx: Queryable, type: MessageType, file: Bestand): Promise<PayloadRef> {
    const bytes = Buffer.from(file.inhoud, 'base64');
    try {
      return await this.payloads.put(tx, bytes, { mimeType: file.mimeType, bestandsnaam: file.bestandsnaam }, type.content.maxBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        throw new SubmissionRefused(413, FOUTCODE.interfaceSpecificatie, `${file.bestandsnaam} is larger than ${error.limit} bytes`);
      }
      throw error;
    }
  }
}
