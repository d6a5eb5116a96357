import type { Envelope } from '@poort/contracts';
import type { Pool, Queryable } from '@poort/message-state';

/** Ingress's own table: the record of every accepted message. */
export class MessagesRepository {
  constructor(private readonly pool: Pool) {}

  async insert(tx: Queryable, envelope: Envelope): Promise<void> {
    await tx.query(
      `INSERT INTO messages (kenmerk, berichtsoort, sender_oin, aanleverkenmerk, envelope, received_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [envelope.kenmerk, envelope.berichtsoort, envelope.sender.oin, envelope.aanleverkenmerk ?? null, envelope, envelope.tijdstempelAangeleverd],
    );
  }

  async find(kenmerk: string): Promise<Envelope | undefined> {
    const { rows } = await this.pool.query<{ envelope: Envelope }>('SELECT envelope FROM messages WHERE kenmerk = $1', [kenmerk]);
    return rows[0]?.envelope;
  }
}
