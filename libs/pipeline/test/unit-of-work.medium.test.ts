import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { STATUS, TOPICS } from '@poort/contracts';
import { OutboxRelay, isRequirementFailed, type OutboxRow } from '@poort/message-state';
import { PoortMetrics, createLogger } from '@poort/observability';
import { ScratchDatabase, aKenmerk, anEnvelope, infraEnv } from '@poort/testing';

import { Emissions, UnitOfWork } from '../src/index.js';

const SOURCE = 'unit-of-work-test';

/** A relay that is never started: what it is handed is recorded, and the rows stay in the table for the test. */
class RecordingRelay extends OutboxRelay {
  readonly handed: OutboxRow[] = [];
  override handOff(rows: readonly OutboxRow[]): void {
    this.handed.push(...rows);
  }
}

describe('UnitOfWork.commitStatement: an effect and its events as one statement, on real Postgres', () => {
  let db: ScratchDatabase;
  let relay: RecordingRelay;
  let metrics: PoortMetrics;
  let unitOfWork: UnitOfWork;

  before(async () => {
    db = await ScratchDatabase.create(infraEnv().databaseUrl, 'unitofwork');
    const unused = { publish: () => Promise.reject(new Error('not started')) };
    relay = new RecordingRelay(db.pool, unused, SOURCE, createLogger(SOURCE, 'silent'));
    metrics = new PoortMetrics(SOURCE);
    unitOfWork = new UnitOfWork({ pool: db.pool, relay, source: SOURCE, metrics });
  });
  after(async () => db?.drop());

  const inboxKeys = async (consumer: string): Promise<string[]> =>
    (await db.pool.query<{ idempotency_key: string }>('SELECT idempotency_key FROM inbox WHERE consumer = $1 ORDER BY 1', [consumer])).rows.map((row) => row.idempotency_key);
  const outboxFor = async (kenmerk: string): Promise<{ id: string; topic: string }[]> =>
    (await db.pool.query<{ id: string; topic: string }>(`SELECT id, topic FROM outbox WHERE source = $1 AND value::jsonb ->> 'kenmerk' = $2 ORDER BY id`, [SOURCE, kenmerk])).rows;

  test('writes its writes and its events, hands the rows to the relay in order and counts the statuses', async () => {
    const kenmerk = aKenmerk();
    const out = new Emissions();
    out.status(anEnvelope({ kenmerk }), { code: STATUS.ontvangen });
    out.status(anEnvelope({ kenmerk }), { code: STATUS.aangebodenVoorVerwerking });
    const handedBefore = relay.handed.length;

    await unitOfWork.commitStatement('test.inbox-put', out, (params) => ({
      writes: [`inbox_put AS (INSERT INTO inbox (consumer, idempotency_key) SELECT 'written', k FROM unnest(${params.add(['a', 'b'], 'text[]')}) AS k RETURNING 1)`],
      require: { condition: '(SELECT count(*) FROM inbox_put) = 2', problem: 'both keys' },
    }));

    assert.deepEqual(await inboxKeys('written'), ['a', 'b']);
    const rows = await outboxFor(kenmerk);
    assert.deepEqual(rows.map((row) => row.topic), [TOPICS.statusChanged, TOPICS.statusChanged]);
    const handed = relay.handed.slice(handedBefore);
    assert.deepEqual(handed.map((row) => String(row.id)), rows.map((row) => String(row.id)), 'the rows as committed, in commit order');
    assert.deepEqual(handed.map((row) => JSON.parse(row.value).statuscode), [STATUS.ontvangen, STATUS.aangebodenVoorVerwerking]);
    assert.match(await metrics.registry.metrics(), new RegExp(`statuses_emitted_total\\{[^}]*code="${STATUS.ontvangen}"[^}]*\\} 1`));
  });

  test('writes nothing at all, its events included, when its requirement does not hold', async () => {
    await db.pool.query(`INSERT INTO inbox (consumer, idempotency_key) VALUES ('taken', 'b')`);
    const kenmerk = aKenmerk();
    const out = new Emissions();
    out.status(anEnvelope({ kenmerk }), { code: STATUS.ontvangen });
    const handedBefore = relay.handed.length;

    await assert.rejects(
      unitOfWork.commitStatement('test.inbox-claim', out, (params) => ({
        writes: [`inbox_put AS (INSERT INTO inbox (consumer, idempotency_key) SELECT 'taken', k FROM unnest(${params.add(['a', 'b', 'c'], 'text[]')}) AS k ON CONFLICT DO NOTHING RETURNING 1)`],
        require: { condition: `(SELECT count(*) FROM inbox_put) = ${params.add(3, 'bigint')}`, problem: 'every key' },
      })),
      (error) => isRequirementFailed(error) && /every key/.test((error as Error).message),
    );

    assert.deepEqual(await inboxKeys('taken'), ['b'], 'the keys that were free are not kept either');
    assert.deepEqual(await outboxFor(kenmerk), []);
    assert.equal(relay.handed.length, handedBefore);
  });
});
