import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '@poort/observability';

import { withTransaction, type Pool } from './db.js';
import { Wakeup } from './wakeup.js';

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
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly pool: Pool,
    private readonly publisher: OutboxPublisher,
    private readonly source: string,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Call after committing a transaction that enqueued records, so they go out without waiting for a poll. */
  kick(): void {
    this.wakeup.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.kick();
    await this.loop;
  }

  private async run(): Promise<void> {
    const pollIntervalMs = this.options.pollIntervalMs ?? 500;
    while (this.running) {
      try {
        while (this.running && (await this.relayBatch()) > 0);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay failed; will retry');
        await sleep(500);
      }
      if (this.running) await this.wakeup.sleep(pollIntervalMs);
    }
  }

  private async relayBatch(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
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
