import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';

const codes = (statuses: readonly { statuscode: string }[]) => statuses.map((status) => status.statuscode);

/**
 * What an operator sees and does when something goes wrong: a poison event ends its message with the documented
 * final status, is listed and re-driven over the admin API after the fix, and a message left behind by a stage is
 * reported by the sweeper; the metrics count it all.
 */
describe('operations: dead letters, re-drive, stuck messages, and their metrics', () => {
  let e2e: E2eChain;
  const faults = join(mkdtempSync(join(tmpdir(), 'poort-faults-')), 'faults');

  before(async () => {
    writeFileSync(faults, '');
    e2e = await E2eChain.start('operations', {
      env: { POORT_FAULT_FILE: faults, STUCK_AFTER_MS: '6000', SWEEP_INTERVAL_MS: '500' },
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  const metricsOf = async (service: 'archive' | 'transformation' | 'notification') => (await e2e.get(service, '/metrics')).text();
  const post = (path: string, body: unknown, as: 'operator' | 'sender-a') => e2e.client(as).post<Record<string, unknown>>(`${e2e.chain.url('archive')}${path}`, body);

  test('a poison event ends its message with 321/TRANSFORM_FAILED, is listed, and after the fix is re-driven to 400', async () => {
    const request = aanlevering('e-factuur', SAMPLES.invoice);
    writeFileSync(faults, `transformation ${request.aanleverkenmerk}\n`);
    const receipt = await e2e.submit(request);
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const failed = await e2e.waitForStatus(kenmerk, '321');
    const final = failed.at(-1)!;
    assert.deepEqual(codes(failed), ['100', '110', '200', '301', '321']);
    assert.equal(final.statusFoutcode?.foutcode, 'TRANSFORM_FAILED');
    assert.match(final.statusFoutcode?.foutbeschrijving ?? '', /^technische fout in transformation: injected fault/);

    const listed = await e2e.get('archive', `/admin/v1/dead-letters?kenmerk=${kenmerk}`, 'operator');
    assert.equal(listed.status, 200, listed.text());
    const letters = listed.json<{ id: number; stage: string; topic: string; reason: string }[]>();
    assert.deepEqual(letters.map((letter) => [letter.stage, letter.topic]), [['transformation', 'poort.message.validated.v1']]);
    assert.equal((await e2e.get('archive', `/admin/v1/dead-letters?kenmerk=${kenmerk}`, 'sender-a')).status, 403, 'not for a sender');

    writeFileSync(faults, ''); // the fix
    const redriven = await post('/admin/v1/dead-letters/redrive', { kenmerk }, 'operator');
    assert.equal(redriven.status, 200, JSON.stringify(redriven.body));
    assert.deepEqual((redriven.body.redriven as { id: number }[]).map((letter) => letter.id), [letters[0]!.id]);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '321', '405', '400']);
    assert.equal(e2e.recipient('belastingdienst').postsByMessageId.get(`${kenmerk}:belastingdienst`), 1);

    const again = await post('/admin/v1/dead-letters/redrive', { kenmerk }, 'operator');
    assert.deepEqual(again.body.redriven, [], 'a re-driven dead letter is not re-driven twice');
    assert.equal((await post('/admin/v1/dead-letters/redrive', {}, 'operator')).status, 400, 'a re-drive names what it re-drives');

    assert.match(await metricsOf('transformation'), /poort_dead_lettered_total\{topic="poort\.message\.validated\.v1",service="transformation"\} 1/);
    assert.match(await metricsOf('archive'), /poort_redriven_total\{topic="poort\.message\.validated\.v1",service="archive"\} 1/);
  });

  test('a message left behind by a stage is reported by the sweeper: a final 230/PROCESSING_STUCK, a warning, a metric', async () => {
    const ended = await e2e.chain.stopService('authorization');
    assert.deepEqual(ended, { code: 0, signal: null }, 'on SIGTERM the shutdown hooks run and the process exits 0 (as a pod\'s PID 1 must)');
    try {
      const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
      const kenmerk = String(receipt.body.kenmerk);
      const statuses = await e2e.waitForStatus(kenmerk, '230', 20_000);
      assert.deepEqual(codes(statuses), ['100', '110', '230']);
      assert.equal(statuses[2]!.statusFoutcode?.foutcode, 'PROCESSING_STUCK');
      assert.match(await metricsOf('notification'), /poort_stuck_messages_total\{step="110",service="notification"\} [1-9]/);
    } finally {
      await e2e.chain.startService('authorization');
    }
  });

  test('refusals are counted by code on every service that refuses', async () => {
    const anonymous = await e2e.get('archive', '/admin/v1/dead-letters', 'anonymous');
    assert.equal(anonymous.status, 401);
    await waitFor('the refusal in the metrics', async () => (/poort_requests_refused_total\{code="CERT_MISSING",service="archive"\} [1-9]/.test(await metricsOf('archive')) ? true : undefined), 5_000);
  });
});
