import { enqueueOutbox, withTransaction, type OutboxRelay, type OutboxRow, type Pool, type PoolClient } from '@poort/message-state';
import type { PoortMetrics } from '@poort/observability';

import { Emissions } from './emissions.js';

/** What a writer's effect runs with: its transaction, and the events that belong to it. */
export interface Effect {
  /** The effect's own writes belong in this transaction. */
  readonly tx: PoolClient;
  readonly out: Emissions;
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
    if (written.length > 0) this.deps.relay.handOff(written);
    for (const status of out.statuses) this.deps.metrics.statusesEmitted.inc({ code: status.statuscode });
    return result;
  }
}
