import type { Logger } from '@poort/observability';

import { BackgroundLoop } from './background-loop.js';
import { withTransaction, type Pool } from './db.js';
import type { OutboxRow } from './outbox.js';

export interface OutboxPublisher {
  publish(messages: readonly { topic: string; key: string; value: string; headers: Record<string, string> }[]): Promise<void>;
}

export interface OutboxRelayOptions {
  readonly batchSize?: number;
  /** How often to look in the table for rows that were not handed over (left by a crashed process, say). */
  readonly pollIntervalMs?: number;
  /**
   * How old a row must be before that look takes it: younger rows are being published by the process that wrote
   * them (another replica of the same service, say), which would otherwise publish them a second time.
   */
  readonly leftoverAgeMs?: number;
  /** The most handed-over rows kept while they cannot be published (a broker outage); beyond it the table is read. */
  readonly maxHandedOver?: number;
  /**
   * How long handed-over rows wait for more before they go, so that the rows of that time take one produce request and
   * one delete instead of one each. For a writer that hands over small batches often (ingress, whose every submission
   * at low rates is a transaction of its own); its events take that much longer through the chain. Default 0.
   */
  readonly handOffLingerMs?: number;
  readonly onPublished?: (count: number) => void;
}

interface TableRow {
  id: number;
  topic: string;
  message_key: string;
  value: string;
  headers: Record<string, string>;
}

// A look in the table reads the index entries of every row published since the last vacuum (bitmap scans do not mark
// them dead): at 150 messages/s, a look each second was 2 ms of Postgres each time, per service. Leftovers of a crash
// wait up to leftoverAgeMs + pollIntervalMs instead.
const DEFAULTS = { batchSize: 500, pollIntervalMs: 3_000, leftoverAgeMs: 3_000, maxHandedOver: 20_000, handOffLingerMs: 0 } as const;
const RETRY_MS = 500;

/**
 * Publishes this service's outbox rows to Kafka, then deletes them. A crash between publishing and deleting
 * publishes rows again, which consumers absorb (they are idempotent).
 *
 * The rows of this process's own transactions come from memory: the writer hands them over once its transaction
 * committed (handOff), and they are published in commit order and deleted by id, without reading the table back.
 * The table is read (oldest id first, locked with SKIP LOCKED so that two relays never take the same row) when
 * memory may not hold every row: at start (what an earlier process left), after a failed publish, and after too many
 * rows piled up while Kafka was away; then until a read finds no row. Besides, every poll interval, rows older than
 * leftoverAgeMs are taken from the table: those of a process that crashed after its commit. Such a read takes what
 * it finds, so a replica that reads at start may publish a row that another replica is publishing from memory at that
 * moment: a repeat, which consumers absorb like any other.
 */
export class OutboxRelay {
  private readonly loop: BackgroundLoop;
  private readonly settings: Required<Omit<OutboxRelayOptions, 'onPublished'>>;
  /** Committed rows handed over and not yet published, in commit order (a Map keeps insertion order). */
  private readonly handedOver = new Map<number, OutboxRow>();
  /** Memory may lack rows that are in the table: read the table until it is empty. */
  private mustRead = true;
  /** When handed-over rows were last dropped for room: a table read that started before it may have missed them. */
  private lastDropAt = Number.NEGATIVE_INFINITY;
  private lastLookAt = Number.NEGATIVE_INFINITY;
  /** When the oldest of the rows waiting in memory was handed over (for handOffLingerMs). */
  private waitingSince = 0;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: OutboxPublisher,
    private readonly source: string,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.settings = {
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      leftoverAgeMs: options.leftoverAgeMs ?? DEFAULTS.leftoverAgeMs,
      maxHandedOver: options.maxHandedOver ?? DEFAULTS.maxHandedOver,
      handOffLingerMs: options.handOffLingerMs ?? DEFAULTS.handOffLingerMs,
    };
    this.loop = new BackgroundLoop(() => this.round());
  }

  start(): void {
    this.loop.start();
  }

  /** Rows a transaction wrote (enqueueOutbox), handed over after it committed: published without a poll. */
  handOff(rows: readonly OutboxRow[]): void {
    if (this.handedOver.size === 0) this.waitingSince = Date.now();
    for (const row of rows) this.handedOver.set(row.id, row);
    if (this.handedOver.size > this.settings.maxHandedOver) {
      // They are all in the table: reading it takes over.
      this.handedOver.clear();
      this.mustRead = true;
      this.lastDropAt = Date.now();
    }
    this.loop.kick();
  }

  /** Look in the table now (rows written without a handover, e.g. by another tool). */
  kick(): void {
    this.mustRead = true;
    this.loop.kick();
  }

  /** Ends the loop, then publishes what was handed over and is still waiting, so that a graceful stop leaves no row. */
  async stop(): Promise<void> {
    await this.loop.stop();
    try {
      while (!this.mustRead && this.handedOver.size > 0) await this.relayHandedOver();
    } catch (error) {
      this.logger.warn({ err: error, left: this.handedOver.size }, 'outbox relay could not publish everything before stopping; the rows stay in the outbox');
    }
  }

  /** One batch; the next at once when there may be more, otherwise after a poll interval (a handover cuts it short). */
  private async round(): Promise<number> {
    const { batchSize, pollIntervalMs, leftoverAgeMs, handOffLingerMs } = this.settings;
    try {
      if (this.mustRead) {
        const startedAt = Date.now();
        const count = await this.relayFromTable();
        if (count > 0) return 0;
        if (startedAt > this.lastDropAt) this.mustRead = false;
        return this.handedOver.size > 0 ? 0 : pollIntervalMs;
      }
      if (this.handedOver.size > 0 && Date.now() - this.lastLookAt < pollIntervalMs) {
        const lingering = this.waitingSince + handOffLingerMs - Date.now();
        if (lingering > 0 && this.handedOver.size < batchSize) return lingering;
        await this.relayHandedOver();
        return this.handedOver.size > 0 ? 0 : pollIntervalMs;
      }
      this.lastLookAt = Date.now();
      return (await this.relayFromTable(leftoverAgeMs)) >= batchSize || this.handedOver.size > 0 ? 0 : pollIntervalMs;
    } catch (error) {
      this.mustRead = true;
      this.logger.warn({ err: error }, 'outbox relay failed; will retry');
      return RETRY_MS;
    }
  }

  private async relayHandedOver(): Promise<void> {
    const rows: OutboxRow[] = [];
    for (const row of this.handedOver.values()) {
      if (rows.length === this.settings.batchSize) break;
      rows.push(row);
    }
    await this.publisher.publish(rows.map((row) => ({ topic: row.topic, key: row.key, value: row.value, headers: { ...row.headers } })));
    for (const row of rows) this.handedOver.delete(row.id);
    this.options.onPublished?.(rows.length);
    // Published: should this delete fail, the rows are published again from the table (consumers absorb that).
    // Planned on every call, not a prepared statement: the table is a queue, empty one moment and full of dead rows
    // the next, and a plan kept from an empty moment (a sequential scan) read every dead row until the next vacuum.
    await this.pool.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
  }

  /**
   * A batch from the table, oldest first (only rows at least minAgeMs old, when given): each row published once, then
   * deleted, and no longer waiting in memory.
   */
  private async relayFromTable(minAgeMs?: number): Promise<number> {
    const ids = await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<TableRow>(
        `SELECT id, topic, message_key, value, headers FROM outbox
          WHERE source = $1 AND ($3::float8 IS NULL OR created_at <= now() - $3::float8 * interval '1 millisecond')
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.source, this.settings.batchSize, minAgeMs ?? null],
      );
      if (rows.length === 0) return [];
      await this.publisher.publish(rows.map((row) => ({ topic: row.topic, key: row.message_key, value: row.value, headers: row.headers })));
      await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      return rows.map((row) => row.id);
    });
    for (const id of ids) this.handedOver.delete(id);
    if (ids.length > 0) this.options.onPublished?.(ids.length);
    return ids.length;
  }
}
