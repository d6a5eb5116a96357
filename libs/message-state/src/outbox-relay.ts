import type { Logger } from '@poort/observability';

import { BackgroundLoop } from './background-loop.js';
import { withTransaction, type Pool } from './db.js';

export interface OutboxPublisher {
  publish(messages: readonly { topic: string; key: string; value: string; headers: Record<string, string> }[]): Promise<void>;
}

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  value: string;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  readonly batchSize?: number;
  /** How often to look for rows nobody kicked the relay for (left by a crashed process, say). */
  readonly pollIntervalMs?: number;
  readonly onPublished?: (count: number) => void;
}

/**
 * Publishes this service's outbox rows in order, then deletes them, in one transaction per batch: a crash
 * between publishing and deleting publishes a batch again, which consumers absorb (they are idempotent).
 */
export class OutboxRelay {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: OutboxPublisher,
    private readonly source: string,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.loop = new BackgroundLoop(() => this.round());
  }

  start(): void {
    this.loop.start();
  }

  /** Call after committing a transaction that enqueued records, so they go out without waiting for a poll. */
  kick(): void {
    this.loop.kick();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * One batch; the next at once when it was full (there may be more), otherwise after a poll interval: rows that
   * came after its SELECT come with a kick, which cuts the interval short.
   */
  private async round(): Promise<number> {
    try {
      return (await this.relayBatch()) >= this.batchSize ? 0 : (this.options.pollIntervalMs ?? 500);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay failed; will retry');
      return 500;
    }
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  private async relayBatch(): Promise<number> {
    const { batchSize } = this;
    const count = await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id, topic, message_key, value, headers FROM outbox
          WHERE source = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.source, batchSize],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publish(
        rows.map((row) => ({ topic: row.topic, key: row.message_key, value: row.value, headers: row.headers })),
      );
      await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      return rows.length;
    });
    if (count > 0) this.options.onPublished?.(count);
    return count;
  }
}
