import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { E2eChain } from '../src/index.js';

/** The service processes this test process started and that still run (`nice` execs node: the pid stays the child's). */
function runningServices(): string[] {
  const children = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'args='], { encoding: 'utf8' });
  return children.split('\n').filter((line) => line.includes('/dist/src/main.js'));
}

test('a chain that does not come up is taken down again, so that the failing test file still ends', async () => {
  // A setting only delivery reads, and refuses at start-up (exit 78): the other services come up.
  await assert.rejects(E2eChain.start('harness', { env: { DELIVERY_INLINE_MAX_BYTES: 'lots' } }), /delivery replica 0 exited with code 78 before it was ready/);
  assert.deepEqual(runningServices(), []);
});
