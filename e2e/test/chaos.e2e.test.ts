import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { KafkaBus } from '@poort/kafka';
import { createLogger } from '@poort/observability';
import { SERVICES, requiredEnv } from '@poort/testing';

import { CHAOS_RECIPIENTS, ChaosLoad, E2eChain, ROOT, chaosOutcome, shuffledServices, summaryLine, type ChaosOutcome } from '../src/index.js';

// Poort under faults, with two replicas of every service, a steady stream of REST and WUS submissions to two
// recipients (one of which keeps going down and up), and a client that resubmits what it got no answer for.
// After each scenario every guarantee is checked and a summary line printed. CHAOS_MESSAGES and CHAOS_RATE make the
// long variant (scripts/chaos.sh); the defaults keep the suite within CI's time.
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 60);
const RATE = Number(process.env.CHAOS_RATE ?? 12);
const REPLICAS = Object.fromEntries(SERVICES.map((service) => [service, 2]));
const run = promisify(execFile);

function infra(script: 'postgres.sh' | 'kafka.sh', command: string, env: Record<string, string> = {}): void {
  execFileSync(join(ROOT, 'scripts/infra', script), [command], { stdio: 'inherit', env: { ...process.env, ...env } });
}

describe('chaos: nothing stuck, nothing lost, nothing doubled, with two replicas of every service', () => {
  let e2e: E2eChain;
  let flapping: NodeJS.Timeout | undefined;
  const faults = join(mkdtempSync(join(tmpdir(), 'poort-chaos-')), 'faults');
  const summaries: string[] = [];

  before(async () => {
    writeFileSync(faults, '');
    e2e = await E2eChain.start('chaos', {
      replicas: REPLICAS,
      scenarioRecipients: {
        [CHAOS_RECIPIENTS[0]]: { behaviour: 'accept', retryWindow: '30m', routes: CHAOS_RECIPIENTS, initialBackoff: '200ms', maxBackoff: '1s' },
        [CHAOS_RECIPIENTS[1]]: { behaviour: 'accept', retryWindow: '30m', initialBackoff: '200ms', maxBackoff: '1s' },
      },
      env: { POORT_FAULT_FILE: faults, KAFKA_MAX_RETRIES: '3', DELIVERY_POLL_INTERVAL_MS: '200' },
    });
    // One recipient goes down and comes back again and again.
    const flap = e2e.recipient(CHAOS_RECIPIENTS[1]);
    flapping = setInterval(() => (flap.behaviour = flap.behaviour === 'accept' ? 'down' : 'accept'), 1_500);
  });
  after(async () => {
    clearInterval(flapping);
    if (e2e) e2e.recipient(CHAOS_RECIPIENTS[1]).behaviour = 'accept';
    await e2e?.stop();
    for (const line of summaries) console.log(line);
  });

  /** Runs the load while `fault` does its harm, then checks every guarantee and records the summary line. */
  const scenario = async (name: string, fault: (load: Promise<void>) => Promise<void>, options: { exempt?: Set<string>; aanleverkenmerk?: (index: number) => string } = {}): Promise<ChaosOutcome> => {
    const load = new ChaosLoad(e2e);
    const running = load.run(MESSAGES, RATE, { wusEvery: 4, ...(options.aanleverkenmerk ? { aanleverkenmerk: options.aanleverkenmerk } : {}) });
    await fault(running);
    await running;
    await load.close();
    const outcome = await chaosOutcome(e2e, load, { patienceMs: 180_000 + MESSAGES * 150, ...(options.exempt ? { exempt: options.exempt } : {}) });
    const line = summaryLine(name, outcome);
    summaries.push(line);
    console.log(line);
    assert.deepEqual(load.unanswered, [], 'every submission was answered with a kenmerk in the end');
    assert.deepEqual(outcome.lost, [], 'lost');
    assert.deepEqual(outcome.duplicated, [], 'duplicated');
    assert.deepEqual(outcome.outOfOrder, [], 'out of order');
    assert.deepEqual(outcome.notArchived, [], 'not archived with all its statuses');
    assert.equal(outcome.final, outcome.accepted);
    return outcome;
  };

  /** No service process died: the same 16 processes run as before (the test restarted none). */
  const noServiceDied = (before: readonly string[]) => assert.deepEqual(e2e.chain.running().sort(), [...before].sort());

  test('two replicas of every service, no fault: no duplicate delivery, status or outbox publish', async () => {
    const published = new Map<string, number>();
    const bus = new KafkaBus({ brokers: requiredEnv('KAFKA_BROKERS').split(','), clientId: 'chaos-reader', namespace: e2e.namespace, sessionTimeoutMs: 6_000 }, createLogger('chaos', 'silent'));
    await bus.connect();
    const reader = bus.consumer({
      groupId: 'chaos-reader',
      topics: ['poort.status.changed.v1', 'poort.delivery.requested.v1', 'poort.message.received.v1'],
      handle: async (messages) => {
        for (const message of messages) {
          const eventId = (JSON.parse(message.value.toString()) as { eventId: string }).eventId;
          published.set(eventId, (published.get(eventId) ?? 0) + 1);
        }
      },
      deadLetterTopic: (topic) => `${topic}.unused`,
    });
    await reader.start();
    try {
      const outcome = await scenario('two replicas, no fault', async () => undefined);
      await sleep(2_000);
      const twice = [...published].filter(([, count]) => count > 1);
      assert.deepEqual(twice, [], 'an event was published more than once');
      assert.ok(published.size >= outcome.accepted * 8, `${published.size} events read`);
      assert.equal(outcome.postsPerMessage.max >= 1, true);
    } finally {
      await bus.close();
    }
  });

  test('every service SIGKILLed once at a random moment (one of its two replicas), ingress and archive included', async () => {
    await scenario('SIGKILL every service', async () => {
      for (const service of shuffledServices(SERVICES)) {
        await sleep(Math.random() * (MESSAGES / RATE) * 100);
        await e2e.chain.restartService(service, 'SIGKILL', Math.floor(Math.random() * 2));
      }
    });
  });

  test('the Kafka broker SIGKILLed and started again', async () => {
    await scenario('SIGKILL the broker', async () => {
      await sleep((MESSAGES / RATE) * 300);
      infra('kafka.sh', 'stop', { KAFKA_STOP_SIGNAL: 'KILL' });
      await sleep(3_000);
      infra('kafka.sh', 'start');
      infra('kafka.sh', 'wait');
    });
  });

  for (const [name, downMs, mode] of [
    ['Postgres stopped hard for 5 s', 5_000, 'immediate'],
    ['Postgres stopped hard for 30 s (longer than the retry budget)', 30_000, 'immediate'],
    ['Postgres restarted as planned', 0, 'fast'],
  ] as const) {
    test(`${name}: no service crashes, nothing is dead-lettered or lost, all completes without a restart`, async () => {
      const processes = e2e.chain.running();
      await scenario(name, async () => {
        await sleep((MESSAGES / RATE) * 300);
        infra('postgres.sh', 'stop', { PG_STOP_MODE: mode });
        await sleep(downMs);
        infra('postgres.sh', 'start');
      });
      noServiceDied(processes);
      const { rows } = await e2e.db.query<{ letters: number }>('SELECT count(*)::int AS letters FROM dead_letters');
      assert.equal(rows[0]!.letters, 0, 'nothing was dead-lettered');
    });
  }

  test('one stage throws for one message: the documented final status, then re-driven by the operator command to completion', async () => {
    const poisoned = `chaos-poison-${Date.now()}`;
    writeFileSync(faults, `routing ${poisoned}\n`);
    const load = new ChaosLoad(e2e);
    await load.run(1, 1, { aanleverkenmerk: () => poisoned });
    const kenmerk = load.kenmerken()[0]!;
    const failed = await e2e.waitForStatus(kenmerk, '420', 60_000);
    assert.equal(failed.at(-1)?.statusFoutcode?.foutcode, 'ROUTING_FAILED');
    const env = { ...process.env, DATABASE_URL: e2e.databaseUrl, KAFKA_NAMESPACE: e2e.namespace };
    const cli = join(ROOT, 'libs/pipeline/dist/src/dead-letters.cli.js');
    const listed = await run(process.execPath, [cli, 'list', '--kenmerk', kenmerk], { env });
    assert.deepEqual(listed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { stage: string }).stage), ['routing']);

    writeFileSync(faults, ''); // the fix
    const redriven = await run(process.execPath, [cli, 'redrive', '--kenmerk', kenmerk], { env });
    assert.equal(redriven.stdout.trim().split('\n').length, 1, redriven.stdout);
    const statuses = await e2e.waitForStatus(kenmerk, '400', 60_000);
    assert.deepEqual(statuses.map((status) => status.statuscode).filter((code) => code !== '420'), ['100', '110', '200', '301', '405', '400']);
    for (const id of CHAOS_RECIPIENTS) assert.ok(e2e.recipient(id).deliveries.has(`${kenmerk}:${id}`), id);
    const outcome = await chaosOutcome(e2e, load, { exempt: new Set([kenmerk]) });
    summaries.push(summaryLine('poison event, re-driven', outcome));
    assert.equal(outcome.openDeadLetters, 0);
    assert.deepEqual(outcome.lost, []);
  });
});
