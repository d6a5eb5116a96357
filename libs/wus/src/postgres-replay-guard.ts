import type { ReplayGuard } from './security-port.js';

/** The slice of a pg Pool this needs; keeps the library free of a database driver. */
export interface SqlQueryable {
  query(sql: string, params: readonly unknown[]): Promise<{ rowCount: number | null }>;
}

/**
 * Replay protection in Postgres (table wus_seen_messages, migration 0007): a MessageID is accepted once per signer.
 * Requests older than the WS-Security maximum message age are refused before this, so IDs are kept for `retainMs`
 * (longer than that age plus clock skew) and pruned now and then.
 */
export class PostgresReplayGuard implements ReplayGuard {
  private inserts = 0;

  constructor(
    private readonly db: SqlQueryable,
    private readonly retainMs = 24 * 60 * 60 * 1000,
    private readonly pruneEvery = 1000,
  ) {}

  async remember(signerFingerprint: string, messageId: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO wus_seen_messages (signer_fingerprint, message_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [signerFingerprint, messageId, now],
    );
    if (++this.inserts % this.pruneEvery === 0) {
      await this.db.query('DELETE FROM wus_seen_messages WHERE seen_at < $1', [new Date(now.getTime() - this.retainMs)]);
    }
    return rowCount === 1;
  }
}
