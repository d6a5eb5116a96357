import assert from 'node:assert/strict';
import { test } from 'node:test';

import { STATUS, TOPICS } from '@poort/contracts';

import type { StageDefinition } from '../src/index.js';

// The guard here is the type checker (tsc -b, which the tests' build runs): each @ts-expect-error below plants a
// violation, and the build fails should the type ever let it through (an unused @ts-expect-error is an error).

test('a stage that keeps no inbox (writeIdempotently) cannot emit: its context has no out', () => {
  const writeOnly: StageDefinition<typeof TOPICS.statusChanged> = {
    name: 'write-only',
    topic: TOPICS.statusChanged,
    // @ts-expect-error -- `out` does not exist on a write-only stage's context
    writeIdempotently: async (statuses, { out }) => {
      for (const status of statuses) out.status(status, { code: STATUS.afgeleverd });
    },
  };
  assert.equal(writeOnly.name, 'write-only');
});

test('a stage has one way to handle its events', () => {
  // @ts-expect-error -- handle and writeIdempotently exclude each other
  const both: StageDefinition<typeof TOPICS.statusChanged> = {
    name: 'both',
    topic: TOPICS.statusChanged,
    handle: async () => undefined,
    writeIdempotently: async () => undefined,
  };
  assert.equal(both.name, 'both');
});
