import { prepared, type Pool } from '@poort/message-state';

import type { BulkItemAnswer, Fout } from './bulk-answers.js';

export interface BulkRecord {
  readonly bulkId: string;
  readonly senderOin: string;
  readonly receivedAt: Date;
  readonly completedAt: Date | undefined;
  readonly afgebroken: Fout | undefined;
}

/** An item as the bulk answered it, with its message's latest status at the status service (if it has one yet). */
export interface BulkItemState {
  readonly answer: BulkItemAnswer;
  readonly status?: { readonly statuscode: string; readonly at: Date; readonly done: boolean };
}

interface ItemRow {
  item_index: number;
  aanleverkenmerk: string | null;
  kenmerk: string | null;
  foutcode: string | null;
  foutbeschrijving: string | null;
  last_statuscode: string | null;
  last_status_at: Date | null;
  done: boolean | null;
}

/** Expired bulks one sweep forgets (with up to INGRESS_BULK_MAX_ITEMS items each), and how often at most. */
const SWEEP_BATCH = 10;
const SWEEP_REST_MS = 60_000;

/**
 * Ingress's tables bulks and bulk_items (migration 0023): each bulk's sender and the answer it gave per item. Reading a
 * bulk joins the items' latest statuses from message_progress, the status service's record of where each message
 * stands (see BulkStatusService for why that read is here).
 */
export class BulksRepository {
  private nextSweepAt = 0;

  constructor(
    private readonly pool: Pool,
    /** How long a bulk's record is kept (INGRESS_BULK_RETENTION_MS); its messages are not affected. */
    private readonly retentionMs: number,
  ) {}

  /**
   * The retention's cleanup, done by the bulks that open: the oldest expired bulks go, their items with them, at most
   * once a minute, a few at a time. SKIP LOCKED: a bulk another replica is deleting is left to it.
   */
  async forgetExpired(): Promise<void> {
    if (Date.now() < this.nextSweepAt) return;
    this.nextSweepAt = Date.now() + Math.min(SWEEP_REST_MS, this.retentionMs);
    await this.pool.query(
      `DELETE FROM bulks WHERE bulk_id IN (
         SELECT bulk_id FROM bulks WHERE received_at < now() - $1::float8 * interval '1 millisecond'
          ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [this.retentionMs, SWEEP_BATCH],
    );
  }

  async open(bulkId: string, senderOin: string, receivedAt: Date): Promise<void> {
    await this.pool.query('INSERT INTO bulks (bulk_id, sender_oin, received_at) VALUES ($1, $2, $3)', [bulkId, senderOin, receivedAt]);
  }

  /** Items' answers, in one statement; an item recorded before (never, by construction) is left as it was. */
  async record(bulkId: string, answers: readonly BulkItemAnswer[]): Promise<void> {
    if (answers.length === 0) return;
    await this.pool.query(
      prepared(
        'bulks.record',
        `INSERT INTO bulk_items (bulk_id, item_index, aanleverkenmerk, kenmerk, foutcode, foutbeschrijving)
         SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (bulk_id, item_index) DO NOTHING`,
        [
          bulkId,
          answers.map((answer) => answer.index),
          answers.map((answer) => answer.aanleverkenmerk ?? null),
          answers.map((answer) => ('kenmerk' in answer ? answer.kenmerk : null)),
          answers.map((answer) => ('fout' in answer ? answer.fout.foutcode : null)),
          answers.map((answer) => ('fout' in answer ? answer.fout.foutbeschrijving : null)),
        ],
      ),
    );
  }

  async complete(bulkId: string, afgebroken: Fout | undefined): Promise<void> {
    await this.pool.query('UPDATE bulks SET completed_at = now(), afgebroken_foutcode = $2, afgebroken_foutbeschrijving = $3 WHERE bulk_id = $1', [
      bulkId,
      afgebroken?.foutcode ?? null,
      afgebroken?.foutbeschrijving ?? null,
    ]);
  }

  async find(bulkId: string): Promise<BulkRecord | undefined> {
    const { rows } = await this.pool.query<{
      sender_oin: string;
      received_at: Date;
      completed_at: Date | null;
      afgebroken_foutcode: string | null;
      afgebroken_foutbeschrijving: string | null;
    }>('SELECT sender_oin, received_at, completed_at, afgebroken_foutcode, afgebroken_foutbeschrijving FROM bulks WHERE bulk_id = $1', [bulkId]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      bulkId,
      senderOin: row.sender_oin,
      receivedAt: row.received_at,
      completedAt: row.completed_at ?? undefined,
      afgebroken: row.afgebroken_foutcode ? { foutcode: row.afgebroken_foutcode, foutbeschrijving: row.afgebroken_foutbeschrijving ?? '' } : undefined,
    };
  }

  /** How many of the bulk's recorded items were acknowledged and refused. */
  async counts(bulkId: string): Promise<{ geaccepteerd: number; geweigerd: number }> {
    const { rows } = await this.pool.query<{ geaccepteerd: number; geweigerd: number }>(
      `SELECT count(kenmerk)::integer AS geaccepteerd, count(foutcode)::integer AS geweigerd FROM bulk_items WHERE bulk_id = $1`,
      [bulkId],
    );
    return rows[0] ?? { geaccepteerd: 0, geweigerd: 0 };
  }

  /** Up to `count` items from index `from` on, in index order, with their latest status. */
  async items(bulkId: string, from: number, count: number): Promise<BulkItemState[]> {
    const { rows } = await this.pool.query<ItemRow>(
      `SELECT i.item_index, i.aanleverkenmerk, i.kenmerk, i.foutcode, i.foutbeschrijving, p.last_statuscode, p.last_status_at, p.done
         FROM bulk_items i LEFT JOIN message_progress p ON p.kenmerk = i.kenmerk
        WHERE i.bulk_id = $1 AND i.item_index >= $2
        ORDER BY i.item_index
        LIMIT $3`,
      [bulkId, from, count],
    );
    return rows.map(toItemState);
  }
}

function toItemState(row: ItemRow): BulkItemState {
  const aanleverkenmerk = row.aanleverkenmerk ?? undefined;
  const answer: BulkItemAnswer = row.kenmerk
    ? { index: row.item_index, aanleverkenmerk, kenmerk: row.kenmerk }
    : { index: row.item_index, aanleverkenmerk, fout: { foutcode: row.foutcode ?? '', foutbeschrijving: row.foutbeschrijving ?? '' } };
  if (row.last_statuscode === null || row.last_status_at === null) return { answer };
  return { answer, status: { statuscode: row.last_statuscode, at: row.last_status_at, done: row.done ?? false } };
}
