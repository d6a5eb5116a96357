import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OPEN, judge, retryAfterSeconds, type LoadJudgement, type LoadLimits, type LoadSample } from '../src/chain-load/load-policy.js';

const LIMITS: LoadLimits = { maxLag: 1_000, maxBacklog: 500, resumeRatio: 0.5, retryAfter: { minSeconds: 5, maxSeconds: 120 } };

/** A sample; an outbox backlog left out is 0, one given as undefined was not measured. */
const at = (seconds: number, lag: number | undefined, ...backlog: [number | undefined] | []): LoadSample => ({
  atMs: seconds * 1_000,
  lag,
  backlog: backlog.length === 0 ? 0 : backlog[0],
});

/** Feeds the samples one after another, as the sampler does, and gives each verdict's state. */
function states(samples: readonly LoadSample[], limits = LIMITS): string[] {
  let judgement: LoadJudgement = OPEN;
  return samples.map((sample) => {
    judgement = judge(judgement, sample, limits);
    return judgement.verdict.state;
  });
}

describe('the load policy', () => {
  test('open at and below the limits, busy as soon as lag or outbox backlog is above its limit', () => {
    assert.deepEqual(states([at(0, 1_000, 500)]), ['open']);
    assert.deepEqual(states([at(0, 1_001, 0)]), ['busy']);
    assert.deepEqual(states([at(0, 0, 501)]), ['busy']);
  });

  test('stays busy until every measure is down to the resume ratio of its limit (hysteresis), then opens', () => {
    // Down through the limit to just above half of it: still busy; at half: open.
    assert.deepEqual(states([at(0, 1_500), at(2, 900), at(4, 501), at(6, 500)]), ['busy', 'busy', 'busy', 'open']);
    // The lag has caught up but the outbox has not: busy until both have.
    assert.deepEqual(states([at(0, 1_500, 0), at(2, 100, 400), at(4, 100, 250)]), ['busy', 'busy', 'open']);
  });

  test('does not flap around the limit: once open it closes only above the limit again', () => {
    assert.deepEqual(states([at(0, 1_200), at(2, 400), at(4, 900), at(6, 1_000), at(8, 1_001)]), ['busy', 'open', 'open', 'open', 'busy']);
  });

  test('a measure turned off (limit 0) or not taken (its source did not answer) is left out', () => {
    assert.deepEqual(states([at(0, 1_000_000, 0)], { ...LIMITS, maxLag: 0 }), ['open']);
    assert.deepEqual(states([at(0, undefined, 501)]), ['busy']);
    assert.deepEqual(states([at(0, 2_000, 0), at(2, undefined, 0)]), ['busy', 'open']);
  });

  test('with nothing measured the verdict stays as it was', () => {
    assert.deepEqual(states([at(0, 2_000), at(2, undefined, undefined), at(4, undefined, undefined)]), ['busy', 'busy', 'busy']);
    assert.deepEqual(states([at(0, undefined, undefined)]), ['open']);
  });

  test('a busy verdict names its cause, the measure furthest over its limit, and keeps the time it began', () => {
    let judgement = judge(OPEN, at(10, 3_000, 600), LIMITS);
    assert.deepEqual(judgement.verdict.state === 'busy' && [judgement.verdict.cause, judgement.verdict.sinceMs], ['lag', 10_000]);
    judgement = judge(judgement, at(12, 600, 2_000), LIMITS);
    assert.deepEqual(judgement.verdict.state === 'busy' && [judgement.verdict.cause, judgement.verdict.sinceMs], ['backlog', 10_000]);
  });
});

describe('Retry-After', () => {
  test('is the time to drain to where it opens again, at the rate it drained since the last sample', () => {
    // 2,000 behind, falling 100/s: 1,500 to go to 500 is 15 s.
    assert.equal(retryAfterSeconds(at(0, 2_200), at(2, 2_000), LIMITS), 15);
    // The slowest measure decides: the outbox falls 10/s with 200 to go.
    assert.equal(retryAfterSeconds(at(0, 2_200, 470), at(2, 2_000, 450), LIMITS), 20);
  });

  test('is the upper bound when the chain does not drain (a stage is down) or there is no earlier sample', () => {
    assert.equal(retryAfterSeconds(at(0, 2_000), at(2, 2_100), LIMITS), 120);
    assert.equal(retryAfterSeconds(at(0, 2_000), at(2, 2_000), LIMITS), 120);
    assert.equal(retryAfterSeconds(undefined, at(2, 2_000), LIMITS), 120);
  });

  test('stays within its bounds and is whole seconds', () => {
    assert.equal(retryAfterSeconds(at(0, 100_000), at(1, 1_001), LIMITS), 5);
    assert.equal(retryAfterSeconds(at(0, 2_001), at(1, 2_000), LIMITS), 120);
    assert.equal(retryAfterSeconds(at(0, 1_530), at(3, 1_100), LIMITS), 5);
    assert.equal(retryAfterSeconds(at(0, 1_200), at(1, 1_100), { ...LIMITS, retryAfter: { minSeconds: 1, maxSeconds: 120 } }), 6);
  });

  test('is what a busy verdict carries', () => {
    const judgement = judge(judge(OPEN, at(0, 2_200), LIMITS), at(2, 2_000), LIMITS);
    assert.deepEqual(judgement.verdict, { state: 'busy', cause: 'lag', sinceMs: 0, retryAfterSeconds: 15 });
  });
});
