import { Coalescer } from '@poort/batching';

import type { ReplayGuard } from './security-port.js';

/** The slice of a pg Pool this needs; keeps the library free of a database driver. */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<{ rowCount: number | null; rows: R[] }>;
}

interface Sighting {
  readonly signerFingerprint: string;
  readonly messageId: string;
  readonly now: Date;
}

/**
 * Replay protection in Postgres (table wus_seen_messages, migration 0007): a MessageID is accepted once per signer.
 * Requests older than the WS-Security maximum message age are refused before this, so IDs are kept for `retainMs`
 * (longer than that age plus clock skew) and pruned now and then. The MessageIDs of requests that arrive together
 * go in with one statement (group commit, as ingress stores submissions): one commit for many, not one each.
 */
export class PostgresReplayGuard implements ReplayGuard {
  private inserts = 0;
  private readonly batches = new Coalescer<Sighting, boolean>((sightings) => this.rememberAll(sightings));

  constructor(
    private readonly db: SqlQueryable,
    private readonly retainMs = 24 * 60 * 60 * 1000,
    private readonly pruneEvery = 1000,
  ) {}

  remember(signerFingerprint: string, messageId: string, now: Date): Promise<boolean> {
    return this.batches.submit({ signerFingerprint, messageId, now });
  }

  /** For each sighting, whether its MessageID is new; of two alike in one batch, the first is. */
  private async rememberAll(sightings: readonly Sighting[]): Promise<boolean[]> {
    const { rows } = await this.db.query<{ signer_fingerprint: string; message_id: string }>(
      `INSERT INTO wus_seen_messages (signer_fingerprint, message_id, seen_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING signer_fingerprint, message_id`,
      [sightings.map((sighting) => sighting.signerFingerprint), sightings.map((sighting) => sighting.messageId), sightings.map((sighting) => sighting.now)],
    );
    const fresh = new Set(rows.map((row) => keyOf(row.signer_fingerprint, row.message_id)));
    const seen = sightings.map((sighting) => fresh.delete(keyOf(sighting.signerFingerprint, sighting.messageId)));
    const before = this.inserts;
    this.inserts += sightings.length;
    if (Math.floor(this.inserts / this.pruneEvery) > Math.floor(before / this.pruneEvery)) {
      const now = sightings.at(-1)!.now;
      await this.db.query('DELETE FROM wus_seen_messages WHERE seen_at < $1', [new Date(now.getTime() - this.retainMs)]);
    }
    return seen;
  }
}

const keyOf = (signerFingerprint: string, messageId: string): string => JSON.stringify([signerFingerprint, messageId]);
