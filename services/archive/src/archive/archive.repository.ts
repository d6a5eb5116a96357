import type { Envelope, StatusChanged } from '@poort/contracts';
import { prepared, type Pool, type Queryable } from '@poort/message-state';

/** A message as the archive received it, without its history. */
export interface ArchivedEnvelope {
  readonly envelope: Envelope;
  readonly receivedAt: string;
  readonly archivedAt: string;
}

export interface ArchivedMessage extends ArchivedEnvelope {
  readonly statuses: readonly StatusChanged[];
}

/** The archive's own tables; the database refuses updates and deletes on them (see migration 0006). */
export class ArchiveRepository {
  constructor(private readonly pool: Pool) {}

  async storeMessages(tx: Queryable, envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await tx.query(
      prepared(
        'archive.messages',
        `INSERT INTO archive_messages (kenmerk, envelope, received_at)
         SELECT * FROM unnest($1::text[], $2::jsonb[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
        [envelopes.map((envelope) => envelope.kenmerk), envelopes.map((envelope) => JSON.stringify(envelope)), envelopes.map((envelope) => envelope.tijdstempelAangeleverd)],
      ),
    );
  }

  async storeStatuses(tx: Queryable, statuses: readonly StatusChanged[]): Promise<void> {
    if (statuses.length === 0) return;
    await tx.query(
      prepared(
        'archive.statuses',
        `INSERT INTO archive_statuses (status_id, kenmerk, statuscode, tijdstempel_status, event)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) ON CONFLICT DO NOTHING`,
        [
          statuses.map((status) => status.statusId),
          statuses.map((status) => status.kenmerk),
          statuses.map((status) => status.statuscode),
          statuses.map((status) => status.tijdstempelStatus),
          statuses.map((status) => JSON.stringify(status)),
        ],
      ),
    );
  }

  /** The message's envelope; its history is read apart (statusesOf), once the caller may see it. */
  async envelopeOf(kenmerk: string): Promise<ArchivedEnvelope | undefined> {
    const message = await this.pool.query<{ envelope: Envelope; received_at: Date; archived_at: Date }>(
      'SELECT envelope, received_at, archived_at FROM archive_messages WHERE kenmerk = $1',
      [kenmerk],
    );
    const row = message.rows[0];
    if (!row) return undefined;
    return { envelope: row.envelope, receivedAt: row.received_at.toISOString(), archivedAt: row.archived_at.toISOString() };
  }

  /** Every status of the message, in the order they happened. */
  async statusesOf(kenmerk: string): Promise<StatusChanged[]> {
    const statuses = await this.pool.query<{ event: StatusChanged }>(
      'SELECT event FROM archive_statuses WHERE kenmerk = $1 ORDER BY tijdstempel_status, archived_at',
      [kenmerk],
    );
    return statuses.rows.map((status) => status.event);
  }

  async find(kenmerk: string): Promise<ArchivedMessage | undefined> {
    const message = await this.envelopeOf(kenmerk);
    return message && { ...message, statuses: await this.statusesOf(kenmerk) };
  }
}
