import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Refusal } from '@poort/contracts';

import type { LoadVerdict } from '../src/chain-load/load-policy.js';
import { InFlightLimiter } from '../src/submission/in-flight-limiter.js';
import { SubmissionAdmission, type BusyReason } from '../src/submission/submission-admission.js';

const BUSY: LoadVerdict = { state: 'busy', cause: 'lag', sinceMs: 0, retryAfterSeconds: 30 };

function refusalOf(admit: () => unknown): Refusal {
  try {
    admit();
  } catch (error) {
    assert.ok(error instanceof Refusal);
    return error;
  }
  assert.fail('admitted');
}

describe('SubmissionAdmission', () => {
  test('while the chain is busy: ALS400 overloaded, OVERBELAST, with the verdict\'s Retry-After, and no slot taken', () => {
    const limiter = new InFlightLimiter(1);
    const reasons: BusyReason[] = [];
    const admission = new SubmissionAdmission(limiter, { verdict: () => BUSY }, (reason) => reasons.push(reason));

    const refusal = refusalOf(() => admission.admit());

    assert.deepEqual([refusal.code, refusal.kind, refusal.retryAfterSeconds], ['ALS400', 'overloaded', 30]);
    assert.match(refusal.message, /overbelast.*over 30 seconden opnieuw/);
    assert.deepEqual((refusal.details as { belasting: string }).belasting, 'OVERBELAST');
    assert.match((refusal.details as { description: string }).description, /overloaded.*again in 30 s/);
    assert.deepEqual(reasons, ['chain']);
    assert.ok(limiter.tryAcquire(), 'the slot is still free');
  });

  test('beyond the in-flight limit: ALS400 overloaded, ZWAARBELAST, Retry-After 1; a release lets the next in', () => {
    const reasons: BusyReason[] = [];
    const admission = new SubmissionAdmission(new InFlightLimiter(1), { verdict: () => ({ state: 'open' }) }, (reason) => reasons.push(reason));
    const release = admission.admit();

    const refusal = refusalOf(() => admission.admit());
    assert.deepEqual([refusal.code, refusal.kind, refusal.retryAfterSeconds], ['ALS400', 'overloaded', 1]);
    assert.match(refusal.message, /zwaarbelast.*over 1 seconde opnieuw/);
    assert.deepEqual(reasons, ['in-flight']);

    release();
    assert.equal(typeof admission.admit(), 'function');
  });
});
