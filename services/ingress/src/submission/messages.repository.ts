import type { Envelope } from '@poort/contracts';
import { StatementParams, prepared, type Pool, type Queryable } from '@poort/message-state';

/** Ingress's own table: the record of every accepted message. */
export class MessagesRepository {
  constructor(private readonly pool: Pool) {}

  async insert(tx: Queryable, envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const params = new StatementParams();
    await tx.query(prepared('messages.insert', this.insertWrite(params, envelopes), params.values));
  }

  /** The INSERT of insert(), for a statement the caller composes. */
  insertWrite(params: StatementParams, envelopes: readonly Envelope[]): string {
    return `INSERT INTO messages (kenmerk, berichtsoort, sender_oin, aanleverkenmerk, envelope, received_at)
         SELECT * FROM unnest(${params.add(envelopes.map((envelope) => envelope.kenmerk), 'text[]')}, ${params.add(envelopes.map((envelope) => envelope.berichtsoort), 'text[]')},
                              ${params.add(envelopes.map((envelope) => envelope.sender.oin), 'text[]')}, ${params.add(envelopes.map((envelope) => envelope.aanleverkenmerk ?? null), 'text[]')},
                              ${params.add(envelopes.map((envelope) => JSON.stringify(envelope)), 'jsonb[]')}, ${params.add(envelopes.map((envelope) => envelope.tijdstempelAangeleverd), 'timestamptz[]')})`;
  }

  async find(kenmerk: string): Promise<Envelope | undefined> {
    const { rows } = await this.pool.query<{ envelope: Envelope }>('SELECT envelope FROM messages WHERE kenmerk = $1', [kenmerk]);
    return rows[0]?.envelope;
  }
}
