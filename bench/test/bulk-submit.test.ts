import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { generateTestPki } from '@poort/pki';
import { Chain, ScratchDatabase, freePortBlock, requiredEnv } from '@poort/testing';
import { Agent } from 'undici';

import { bulkLoop, restBulkSubmit } from '../src/bulk-submit.js';

// The bench's bulk mode (load.ts --mode bulk) on a small run against a real ingress: its own database and Kafka
// namespace, ingress alone (the bench itself runs the whole chain; scripts/bench.sh is not run by tests).

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')).toString('base64');

describe('bench bulk mode: bulks of B, C at a time, every answer line counted', () => {
  const suffix = randomBytes(3).toString('hex');
  let database: ScratchDatabase;
  let chain: Chain;
  let agent: Agent;

  before(async () => {
    const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
    database = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'bench_bulk');
    chain = new Chain({
      root: ROOT,
      kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
      databaseUrl: database.url,
      configDir: join(ROOT, 'config'),
      pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
      portBase: await freePortBlock(12, 20_000, 30_000),
      logDir: join(ROOT, '.local/test-logs', `bench-bulk-${suffix}`),
      env: { KAFKA_NAMESPACE: `bench-bulk-${suffix}.` },
    });
    await chain.startService('ingress');
    const sender = pki.clients['sender-a'];
    agent = new Agent({ connect: { ca: readFileSync(pki.caChain), cert: readFileSync(sender.cert), key: readFileSync(sender.key) } });
  });
  after(async () => {
    await agent?.close();
    await chain?.stop();
    await database?.drop();
  });

  const line = (index: number) =>
    index === 7
      ? '{"berichtsoort":"onbekend"}'
      : `{"berichtsoort":"e-factuur","aanleverkenmerk":"bench-${suffix}-${index}","identiteitBelanghebbende":{"nummer":"001000044B37","type":"Fi"},"rolBelanghebbende":"Bedrijf","berichtInhoud":{"mimeType":"application/xml","bestandsnaam":"factuur.xml","inhoud":"${invoice}"}}`;

  test('45 messages in bulks of 10, two at a time: 44 kenmerken with receipt latencies, 1 refusal by its code', async () => {
    let started = false;
    const submissions = await bulkLoop(45, 10, 2, restBulkSubmit(agent, chain.url('ingress'), line), () => (started = true));
    assert.equal(started, true);
    assert.equal(submissions.startedAt.size, 44);
    assert.equal(submissions.receiptMs.length, 44);
    assert.ok(submissions.receiptMs.every((ms) => ms > 0));
    assert.deepEqual([...submissions.rejections.keys()].map((reason) => reason.slice(0, 7)), ['ALS100:']);
    assert.equal([...submissions.rejections.values()][0], 1);
    assert.ok(submissions.submitWallMs > 0);
    assert.equal(await database.count('messages'), 44);
  });
});
