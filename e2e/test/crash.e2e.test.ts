import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';

import { waitFor, type ServiceName } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';

const MESSAGES = 60;

let e2e: E2eChain;
before(async () => {
  e2e = await E2eChain.start('crash');
});
after(async () => {
  await e2e?.stop();
});

test('services killed with SIGKILL while messages flow: every accepted message reaches 400 exactly once', async () => {
  const accepted: string[] = [];
  const submitting = (async () => {
    for (let i = 0; i < MESSAGES; i += 5) {
      const receipts = await Promise.all(Array.from({ length: 5 }, () => e2e.submit(aanlevering('e-factuur', SAMPLES.invoice))));
      for (const receipt of receipts) {
        assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
        accepted.push(String(receipt.body.kenmerk));
      }
      await sleep(50);
    }
  })();

  // Crash one stage after another while the submissions are still coming in.
  const victims: ServiceName[] = ['validation', 'routing', 'delivery', 'authorization', 'notification', 'transformation'];
  for (const victim of victims) {
    await sleep(300);
    await e2e.chain.stopService(victim, 'SIGKILL');
    await sleep(200);
    await e2e.chain.startService(victim);
  }
  await submitting;
  assert.equal(accepted.length, MESSAGES);

  await waitFor('all messages delivered', async () => {
    const { rows } = await e2e.db.query<{ n: number }>(
      "SELECT count(DISTINCT kenmerk)::int AS n FROM status_history WHERE statuscode = '400' AND kenmerk = ANY($1)",
      [accepted],
    );
    return rows[0]!.n === MESSAGES ? true : undefined;
  }, 120_000, 500);

  for (const kenmerk of accepted) {
    const statuses = await e2e.statuses(kenmerk);
    assert.deepEqual(statuses.map((status) => status.statuscode), ['100', '110', '200', '301', '405', '400'], kenmerk);
  }
  for (const id of ['belastingdienst', 'ministerie-bzk']) {
    const recipient = e2e.recipient(id);
    const received = accepted.filter((kenmerk) => recipient.forKenmerk(kenmerk));
    assert.equal(received.length, MESSAGES, `${id} received every message`);
    assert.equal(recipient.deliveries.size, MESSAGES, `${id} received no other message`);
    // A repeat POST can only come from a crash between the recipient's answer and Poort recording it.
    console.log(`${id}: ${recipient.posts} POSTs for ${MESSAGES} messages`);
  }
});
