import {
  StatementParams, enqueueOutbox, outboxInsert, prepared, withTransaction, type OutboxRelay, type OutboxRow, type Pool, type PoolClient,
} from '@poort/message-state';
import type { PoortMetrics } from '@poort/observability';

import { Emissions } from './emissions.js';

/** What a writer's effect runs with: its transaction, and the events that belong to it. */
export interface Effect {
  /** The effect's own writes belong in this transaction. */
  readonly tx: PoolClient;
  readonly out: Emissions;
}

/** An effect written as one statement (UnitOfWork.commitStatement). */
export interface StatementEffect {
  /** The statement's WITH queries, `name AS (INSERT …)`, their values added to the params they were given. */
  readonly writes: readonly string[];
  /**
   * A condition over the writes' RETURNING rows that must hold, as SQL; when it does not, nothing of the statement
   * is written and commitStatement throws an error for which `isRequirementFailed` is true.
   */
  readonly require?: { readonly condition: string; readonly problem: string };
}

export interface UnitOfWorkDeps {
  readonly pool: Pool;
  readonly relay: OutboxRelay;
  /** The outbox source: this service's name, so that its relay publishes its rows. */
  readonly source: string;
  readonly metrics: PoortMetrics;
}

/**
 * The one way Poort commits an effect together with the events it causes: the writer's rows and its events (the
 * outbox) in one Postgres transaction, so the events exist exactly when the effect does; then the rows are handed
 * to the relay, which publishes them at once without reading them back, and the statuses are counted. Every writer uses it: the stage runner, ingress, the
 * delivery worker.
 */
export class UnitOfWork {
  constructor(private readonly deps: UnitOfWorkDeps) {}

  async commit<T>(effect: (effect: Effect) => Promise<T>): Promise<T> {
    const out = new Emissions();
    let written: OutboxRow[] = [];
    const result = await withTransaction(this.deps.pool, async (tx) => {
      const value = await effect({ tx, out });
      written = await enqueueOutbox(tx, this.deps.source, out.records);
      return value;
    });
    this.committed(out, written);
    return result;
  }

  /**
   * An effect whose writes and events fit in one statement, written as that statement alone: it is its own
   * transaction, so the effect costs one round trip to Postgres instead of BEGIN, each write, the outbox and COMMIT
   * (under load each round trip waits for both processes to get a core, which is what a caller's latency is made of).
   * `name` names the prepared statement: the same name must always compose the same text.
   */
  async commitStatement(name: string, out: Emissions, effect: (params: StatementParams) => StatementEffect): Promise<void> {
    const params = new StatementParams();
    const { writes, require } = effect(params);
    const outbox = outboxInsert(params, this.deps.source, out.records);
    const check = require === undefined ? 'true' : `poort_require(${require.condition}, ${params.add(require.problem, 'text')})`;
    const { rows } = await this.deps.pool.query<{ outbox_ids: number[] | null }>(prepared(
      name,
      `WITH ${[...writes, `outbox AS (${outbox.sql})`].join(',\n')}
       SELECT ${check} AS ok, (SELECT array_agg(id) FROM outbox) AS outbox_ids`,
      params.values,
    ));
    this.committed(out, out.records.length === 0 ? [] : outbox.rows((rows[0]?.outbox_ids ?? []).map(Number)));
  }

  private committed(out: Emissions, written: readonly OutboxRow[]): void {
    if (written.length > 0) this.deps.relay.handOff(written);
    for (const status of out.statuses) this.deps.metrics.statusesEmitted.inc({ code: status.statuscode });
  }
}
