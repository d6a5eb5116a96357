import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, ROOT } from '../src/index.js';

let e2e: E2eChain;
before(async () => {
  e2e = await E2eChain.start('readiness', { services: ['routing', 'ingress'] });
});
after(async () => {
  // Leave the shared infrastructure as it was found, whatever the test did.
  infra('postgres.sh', 'start');
  infra('kafka.sh', 'start');
  await e2e?.stop();
});

function infra(script: string, command: string): void {
  execFileSync(join(ROOT, 'scripts/infra', script), [command], { stdio: 'inherit' });
}

test('readiness fails while Postgres is down and recovers when it is back', async () => {
  assert.equal(await e2e.chain.isReady('routing'), true);
  infra('postgres.sh', 'stop');
  await waitFor('routing not ready', async () => ((await e2e.chain.isReady('routing')) ? undefined : true), 15_000);
  assert.equal(await e2e.chain.isReady('ingress'), false);
  // Routing listens with two-way TLS (its subscriptions API); health needs no certificate, only the test CA.
  const live = await e2e.get('routing', '/health/live');
  assert.equal(live.status, 200, 'a database outage is no reason to restart the process');
  infra('postgres.sh', 'start');
  await waitFor('routing ready again', async () => ((await e2e.chain.isReady('routing')) ? true : undefined), 30_000);
});

test('readiness fails while Kafka is down and recovers when it is back', async () => {
  infra('kafka.sh', 'stop');
  await waitFor('routing not ready', async () => ((await e2e.chain.isReady('routing')) ? undefined : true), 15_000);
  const response = await e2e.get('routing', '/health/ready');
  assert.equal(response.status, 503);
  const body = response.json<{ error: Record<string, { status: string }> }>();
  assert.equal(body.error.kafka?.status, 'down');
  infra('kafka.sh', 'start');
  await waitFor('routing ready again', async () => ((await e2e.chain.isReady('routing')) ? true : undefined), 60_000);
});
