import type { Envelope } from '@poort/contracts';
import { prepared, type Pool, type Queryable } from '@poort/message-state';

/** Ingress's own table: the record of every accepted message. */
export class MessagesRepository {
  constructor(private readonly pool: Pool) {}

  async insert(tx: Queryable, envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await tx.query(
      prepared(
        'messages.insert',
        `INSERT INTO messages (kenmerk, berichtsoort, sender_oin, aanleverkenmerk, envelope, received_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])`,
        [
          envelopes.map((envelope) => envelope.kenmerk),
          envelopes.map((envelope) => envelope.berichtsoort),
          envelopes.map((envelope) => envelope.sender.oin),
          envelopes.map((envelope) => envelope.aanleverkenmerk ?? null),
          envelopes.map((envelope) => JSON.stringify(envelope)),
          envelopes.map((envelope) => envelope.tijdstempelAangeleverd),
        ],
      ),
    );
  }

  async find(kenmerk: string): Promise<Envelope | undefined> {
    const { rows } = await this.pool.query<{ envelope: Envelope }>('SELECT envelope FROM messages WHERE kenmerk = $1', [kenmerk]);
    return rows[0]?.envelope;
  }
}
