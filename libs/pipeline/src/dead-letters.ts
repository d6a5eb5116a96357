import type { IncomingMessage } from '@poort/kafka';
import type { Queryable } from '@poort/message-state';

import type { UnitOfWork } from './unit-of-work.js';

/** An event a stage could not handle, as an operator sees it. */
export interface DeadLetterRecord {
  readonly id: number;
  readonly stage: string;
  readonly topic: string;
  readonly kenmerk: string | undefined;
  readonly reason: string;
  readonly deadLetteredAt: string;
  readonly redrivenAt: string | undefined;
  readonly redriveCount: number;
}

/** Which dead letters an operator means: by id, or by topic, stage, kenmerk and a text in the reason; open ones only unless asked. */
export interface DeadLetterFilter {
  readonly ids?: readonly number[];
  readonly topic?: string;
  readonly stage?: string;
  readonly kenmerk?: string;
  readonly reasonContains?: string;
  readonly includeRedriven?: boolean;
  readonly limit?: number;
}

interface Row {
  id: number;
  stage: string;
  topic: string;
  kenmerk: string | null;
  message_key: string | null;
  value: string;
  headers: Record<string, string>;
  reason: string;
  dead_lettered_at: Date;
  redriven_at: Date | null;
  redrive_count: number;
}

/** Records a dead letter in the transaction that gives its sender the final status: both exist, or neither. */
export async function recordDeadLetter(tx: Queryable, stage: string, message: IncomingMessage, kenmerk: string | undefined, reason: string): Promise<void> {
  await tx.query(
    `INSERT INTO dead_letters (stage, topic, kenmerk, message_key, value, headers, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [stage, message.topic, kenmerk ?? null, message.key ?? null, message.value.toString('utf8'), message.headers, reason.slice(0, 4_000)],
  );
}

const MAX_LISTED = 1_000;

function where(filter: DeadLetterFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    conditions.push(condition.replace('?', `$${params.length}`));
  };
  if (filter.ids) add('id = ANY(?::bigint[])', filter.ids);
  if (filter.topic) add('topic = ?', filter.topic);
  if (filter.stage) add('stage = ?', filter.stage);
  if (filter.kenmerk) add('kenmerk = ?', filter.kenmerk);
  if (filter.reasonContains) add("strpos(reason, ?) > 0", filter.reasonContains);
  if (!filter.includeRedriven) conditions.push('redriven_at IS NULL');
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/**
 * The operator's view of dead letters and the re-drive: a dead letter goes back into the topic it came from, with its
 * original key, value and headers, through the outbox of the service that re-drives (so the re-drive itself is
 * at-least-once, like every publish). Handling it again is safe: the stage's inbox makes an event that was already
 * handled a no-op.
 */
export class DeadLetters {
  constructor(
    private readonly db: Queryable,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetterRecord[]> {
    const { sql, params } = where(filter);
    const limit = Math.min(filter.limit ?? MAX_LISTED, MAX_LISTED);
    const { rows } = await this.db.query<Row>(`SELECT * FROM dead_letters ${sql} ORDER BY id LIMIT ${limit}`, params);
    return rows.map(toRecord);
  }

  /** Re-drives the open dead letters the filter names (at most 1,000 at a time) and returns them. */
  async redrive(filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    const { sql, params } = where({ ...filter, includeRedriven: false });
    return this.unitOfWork.commit(async ({ tx, out }) => {
      const { rows } = await tx.query<Row>(`SELECT * FROM dead_letters ${sql} ORDER BY id LIMIT ${MAX_LISTED} FOR UPDATE SKIP LOCKED`, params);
      // An event that is not JSON cannot be handled by any stage: it stays a dead letter for the operator to read.
      const redriveable = rows.filter((row) => parsesAsJson(row.value));
      if (redriveable.length === 0) return [];
      for (const row of redriveable) {
        out.again({
          topic: row.topic,
          key: row.message_key ?? row.kenmerk ?? '',
          value: JSON.parse(row.value) as unknown,
          headers: { ...withoutDeadLetterHeaders(row.headers), 'poort-redriven-from': String(row.id) },
        });
      }
      const ids = redriveable.map((row) => row.id);
      const updated = await tx.query<Row>(
        'UPDATE dead_letters SET redriven_at = now(), redrive_count = redrive_count + 1 WHERE id = ANY($1::bigint[]) RETURNING *',
        [ids],
      );
      return updated.rows.sort((a, b) => a.id - b.id).map(toRecord);
    });
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function withoutDeadLetterHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('poort-dlq-')));
}

function toRecord(row: Row): DeadLetterRecord {
  return {
    id: row.id,
    stage: row.stage,
    topic: row.topic,
    kenmerk: row.kenmerk ?? undefined,
    reason: row.reason,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
    redrivenAt: row.redriven_at?.toISOString(),
    redriveCount: row.redrive_count,
  };
}
