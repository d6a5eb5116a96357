import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import type { TestClientName } from '@poort/pki';

import { E2eChain, ROOT } from '../src/index.js';

// The helm test hook's client, run as the chart runs it, against a running chain.
const CLI = join(ROOT, 'libs/smoke-test/dist/src/smoke-test.cli.js');

let e2e: E2eChain;
before(async () => {
  e2e = await E2eChain.start('smoke-test');
});
after(async () => {
  await e2e?.stop();
});

async function smokeTest(as: TestClientName, env: Record<string, string> = {}): Promise<{ code: number; result: Record<string, unknown> }> {
  const client = e2e.pki.clients[as];
  const run = promisify(execFile)(process.execPath, [CLI], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      SMOKE_INGRESS_URL: e2e.chain.url('ingress'),
      SMOKE_NOTIFICATION_URL: e2e.chain.url('notification'),
      SMOKE_CA_FILE: e2e.pki.caChain,
      SMOKE_CLIENT_CERT_FILE: client.cert,
      SMOKE_CLIENT_KEY_FILE: client.key,
      SMOKE_TIMEOUT_MS: '60000',
      ...env,
    },
  });
  const { stdout, stderr, code } = await run.then(
    (out) => ({ ...out, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
  // Progress and the result go to stdout; a configuration error, before anything ran, to stderr.
  const lines = (stdout.trim() || stderr.trim()).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, result: lines.at(-1)! };
}

test('passes when the message it submits is delivered (400), and the recipient holds it', async () => {
  const { code, result } = await smokeTest('sender-a');
  assert.equal(code, 0, JSON.stringify(result));
  assert.equal(result.kind, 'passed');
  assert.equal(result.status, '400');
  const delivered = e2e.recipient('belastingdienst').forKenmerk(String(result.kenmerk));
  assert.ok(delivered, 'the test recipient received the smoke test message');
  assert.deepEqual(delivered.body, readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')));
});

test('fails with the final status when the chain refuses the message, without waiting for its timeout', async () => {
  const { code, result } = await smokeTest('sender-b');
  assert.equal(code, 1);
  assert.equal(result.kind, 'failed');
  assert.equal(result.status, '210', JSON.stringify(result));
  assert.ok(Number(result.elapsedMs) < 30_000);
});

test('fails on an invalid configuration with exit code 78 and the variable named', async () => {
  const { code, result } = await smokeTest('sender-a', { SMOKE_INGRESS_URL: 'not a url' });
  assert.equal(code, 78);
  assert.match(String(result.msg), /SMOKE_INGRESS_URL/);
});
