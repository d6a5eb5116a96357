import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { InFlightLimiter } from '../src/submission/in-flight-limiter.js';

describe('InFlightLimiter', () => {
  test('grants slots up to the limit and refuses beyond it', () => {
    const limiter = new InFlightLimiter(3);
    assert.deepEqual([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()], [true, true, true]);
    assert.equal(limiter.tryAcquire(), false);
    assert.equal(limiter.tryAcquire(), false);
  });

  test('a release frees exactly one slot', () => {
    const limiter = new InFlightLimiter(2);
    limiter.tryAcquire();
    limiter.tryAcquire();

    limiter.release();

    assert.equal(limiter.tryAcquire(), true);
    assert.equal(limiter.tryAcquire(), false);
  });

  test('slots released one after another can be taken again indefinitely', () => {
    const limiter = new InFlightLimiter(1);
    for (let round = 0; round < 100; round++) {
      assert.equal(limiter.tryAcquire(), true, `round ${round}`);
      assert.equal(limiter.tryAcquire(), false, `round ${round}`);
      limiter.release();
    }
  });

  test('a limit of 0 refuses everything', () => {
    assert.equal(new InFlightLimiter(0).tryAcquire(), false);
  });
});
