import { Injectable } from '@nestjs/common';
import type { Envelope } from '@poort/contracts';
import type { Queryable } from '@poort/message-state';

/** Ingress's own table: the record of every accepted message. */
@Injectable()
export class MessagesRepository {
  async insert(tx: Queryable, envelope: Envelope): Promise<void> {
    await tx.query(
      `INSERT INTO messages (kenmerk, berichtsoort, sender_oin, aanleverkenmerk, envelope, received_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [envelope.kenmerk, envelope.berichtsoort, envelope.sender.oin, envelope.aanleverkenmerk ?? null, envelope, envelope.tijdstempelAangeleverd],
    );
  }
}
