import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { enqueueOutbox, withTransaction } from '../src/index.js';

let db: ScratchDatabase;
before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'message_state_outbox');
});
after(async () => {
  await db?.drop();
});

interface Row {
  id: number;
  topic: string;
  message_key: string;
  value: string;
  headers: Record<string, string>;
}

async function rowsOf(source: string): Promise<Row[]> {
  const { rows } = await db.pool.query<Row>('SELECT id, topic, message_key, value, headers FROM outbox WHERE source = $1 ORDER BY id', [source]);
  return rows;
}

describe('enqueueOutbox', () => {
  it('writes nothing when the transaction that caused the events rolls back', async () => {
    const source = `ingress-${randomUUID()}`;
    const effectFailed = new Error('the effect failed after the events were enqueued');
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        await enqueueOutbox(tx, source, [{ topic: 'poort.message.received.v1', key: 'k1', value: { kenmerk: 'k1' } }]);
        assert.equal((await tx.query('SELECT 1 FROM outbox WHERE source = $1', [source])).rows.length, 1, 'visible inside the transaction');
        throw effectFailed;
      }),
      effectFailed,
    );
    assert.deepEqual(await rowsOf(source), []);
  });

  it('keeps committed events per source, in the order they were enqueued, with values as JSON and headers', async () => {
    const ingress = `ingress-${randomUUID()}`;
    const routing = `routing-${randomUUID()}`;
    const written = await withTransaction(db.pool, async (tx) => {
      const rows = await enqueueOutbox(tx, ingress, [
        { topic: 'poort.message.received.v1', key: 'k1', value: { kenmerk: 'k1', size: 12 }, headers: { traceparent: '00-abc-def-01' } },
        { topic: 'poort.status.v1', key: 'k1', value: 'plain text' },
      ]);
      await enqueueOutbox(tx, routing, [{ topic: 'poort.delivery.requested.v1', key: 'k1:r1', value: { recipient: 'r1' } }]);
      return rows;
    });

    const ingressRows = await rowsOf(ingress);
    assert.deepEqual(
      ingressRows.map(({ topic, message_key, value, headers }) => ({ topic, message_key, value: JSON.parse(value) as unknown, headers })),
      [
        { topic: 'poort.message.received.v1', message_key: 'k1', value: { kenmerk: 'k1', size: 12 }, headers: { traceparent: '00-abc-def-01' } },
        { topic: 'poort.status.v1', message_key: 'k1', value: 'plain text', headers: {} },
      ],
    );
    assert.ok(ingressRows[0]!.id < ingressRows[1]!.id, 'ids follow the enqueue order');
    assert.deepEqual(
      written,
      ingressRows.map(({ id, topic, message_key, value, headers }) => ({ id, topic, key: message_key, value, headers })),
      'enqueueOutbox returns each row as stored, with its id, for the relay to publish from memory',
    );
    assert.deepEqual(
      (await rowsOf(routing)).map((row) => row.message_key),
      ['k1:r1'],
    );
  });

  it('writes no row for an empty list', async () => {
    const source = `ingress-${randomUUID()}`;
    await withTransaction(db.pool, (tx) => enqueueOutbox(tx, source, []));
    assert.deepEqual(await rowsOf(source), []);
  });
});
