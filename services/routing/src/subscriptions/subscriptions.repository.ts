import { prepared, withTransaction, type Pool, type Queryable } from '@poort/message-state';

import type { Subscription, SubscriptionRule } from './subscription.js';

/**
 * Whose subscriptions a query may touch: one subscriber's, or (for an operator) everyone's. Every query that reads or
 * changes a subscription takes one, so that no query can forget whose they are.
 */
export type SubscriptionScope = { readonly subscriberOin: string } | { readonly everyone: true };

/** A subscription as it is written: its rule, and who it belongs to. */
export type SubscriptionFields = SubscriptionRule & Pick<Subscription, 'subscriberOin'>;

export type CreateOutcome =
  | { readonly kind: 'created'; readonly subscription: Subscription }
  | { readonly kind: 'duplicate'; readonly existingId: string }
  | { readonly kind: 'limit-reached'; readonly limit: number };

export type ChangeOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'version-mismatch'; readonly current: number }
  | { readonly kind: 'duplicate'; readonly existingId: string };

interface SubscriptionRow {
  id: string;
  subscriber_oin: string;
  recipient_id: string;
  berichtsoort: string;
  belanghebbende: string | null;
  ontvanger: string | null;
  format: Subscription['format'];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, subscriber_oin, recipient_id, berichtsoort, belanghebbende, ontvanger, format, version, created_at, updated_at';
const UNIQUE_VIOLATION = '23505';

/** The subscriptions table (migration 0015), owned by routing. */
export class SubscriptionsRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * A new subscription, unless its subscriber has `limit` already or the same one exists. The count and the insert
   * are serialised per subscriber, so that two requests at once cannot both pass the limit.
   */
  create(id: string, fields: SubscriptionFields, limit: number): Promise<CreateOutcome> {
    return withTransaction(this.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`subscriptions:${fields.subscriberOin}`]);
      const { rows: [counted] } = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM subscriptions WHERE subscriber_oin = $1', [fields.subscriberOin]);
      if ((counted?.count ?? 0) >= limit) return { kind: 'limit-reached', limit };
      const { rows: [row] } = await tx.query<SubscriptionRow>(
        `INSERT INTO subscriptions (id, subscriber_oin, recipient_id, berichtsoort, belanghebbende, ontvanger, format)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [id, ...fieldValues(fields)],
      );
      if (row) return { kind: 'created', subscription: fromRow(row) };
      return { kind: 'duplicate', existingId: await this.idOfSame(tx, fields) };
    });
  }

  async find(scope: SubscriptionScope, id: string): Promise<Subscription | undefined> {
    const { rows: [row] } = await this.pool.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 AND ($2::text IS NULL OR subscriber_oin = $2)`, [id, ownerOf(scope)]);
    return row && fromRow(row);
  }

  /** In the order they were made. */
  async list(scope: SubscriptionScope): Promise<Subscription[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE ($1::text IS NULL OR subscriber_oin = $1) ORDER BY created_at, id`,
      [ownerOf(scope)],
    );
    return rows.map(fromRow);
  }

  /** Replaces the rule of a subscription; with `expectedVersion`, only if it is still that version. */
  async replace(scope: SubscriptionScope, id: string, fields: SubscriptionFields, expectedVersion: number | undefined): Promise<ChangeOutcome<Subscription>> {
    try {
      const { rows: [row] } = await this.pool.query<SubscriptionRow>(
        `UPDATE subscriptions
            SET subscriber_oin = $4, recipient_id = $5, berichtsoort = $6, belanghebbende = $7, ontvanger = $8, format = $9,
                version = version + 1, updated_at = now()
          WHERE id = $1 AND ($2::text IS NULL OR subscriber_oin = $2) AND ($3::int IS NULL OR version = $3)
          RETURNING ${COLUMNS}`,
        [id, ownerOf(scope), expectedVersion ?? null, ...fieldValues(fields)],
      );
      return row ? { kind: 'done', value: fromRow(row) } : await this.whyUnchanged(scope, id);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      return { kind: 'duplicate', existingId: await this.idOfSame(this.pool, fields) };
    }
  }

  /** Deletes a subscription; with `expectedVersion`, only if it is still that version. */
  async delete(scope: SubscriptionScope, id: string, expectedVersion: number | undefined): Promise<ChangeOutcome<undefined>> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM subscriptions WHERE id = $1 AND ($2::text IS NULL OR subscriber_oin = $2) AND ($3::int IS NULL OR version = $3)',
      [id, ownerOf(scope), expectedVersion ?? null],
    );
    return rowCount ? { kind: 'done', value: undefined } : await this.whyUnchanged(scope, id);
  }

  /** The number every change raises (migration 0015's trigger), read in the caller's transaction. */
  async generation(tx: Queryable): Promise<number> {
    const { rows: [row] } = await tx.query<{ generation: number }>(prepared('routing.subscriptions-generation', 'SELECT generation FROM subscriptions_generation', []));
    return row?.generation ?? 0;
  }

  /** Every subscription with the generation it belongs to, read together (one snapshot). */
  async snapshot(tx: Queryable): Promise<{ generation: number; subscriptions: Subscription[] }> {
    const { rows } = await tx.query<SubscriptionRow & { generation: number }>(
      `SELECT ${COLUMNS}, g.generation FROM subscriptions_generation g LEFT JOIN subscriptions ON true ORDER BY created_at, id`,
    );
    return { generation: rows[0]?.generation ?? 0, subscriptions: rows.filter((row) => row.id !== null).map(fromRow) };
  }

  private async whyUnchanged(scope: SubscriptionScope, id: string): Promise<{ kind: 'not-found' } | { kind: 'version-mismatch'; current: number }> {
    const current = await this.find(scope, id);
    return current ? { kind: 'version-mismatch', current: current.version } : { kind: 'not-found' };
  }

  private async idOfSame(tx: Queryable, fields: SubscriptionFields): Promise<string> {
    const { rows: [row] } = await tx.query<{ id: string }>(
      `SELECT id FROM subscriptions WHERE recipient_id = $1 AND berichtsoort = $2
          AND coalesce(belanghebbende, '') = coalesce($3, '') AND coalesce(ontvanger, '') = coalesce($4, '')`,
      [fields.recipientId, fields.berichtsoort, fields.identiteitBelanghebbende ?? null, fields.identiteitOntvanger ?? null],
    );
    if (!row) throw new Error('a subscription collided with one that is not there');
    return row.id;
  }
}

function ownerOf(scope: SubscriptionScope): string | null {
  return 'subscriberOin' in scope ? scope.subscriberOin : null;
}

function fieldValues(fields: SubscriptionFields): unknown[] {
  return [fields.subscriberOin, fields.recipientId, fields.berichtsoort, fields.identiteitBelanghebbende ?? null, fields.identiteitOntvanger ?? null, fields.format];
}

function fromRow(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    subscriberOin: row.subscriber_oin,
    recipientId: row.recipient_id,
    berichtsoort: row.berichtsoort,
    ...(row.belanghebbende === null ? {} : { identiteitBelanghebbende: row.belanghebbende }),
    ...(row.ontvanger === null ? {} : { identiteitOntvanger: row.ontvanger }),
    format: row.format,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
