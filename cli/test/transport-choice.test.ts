import assert from 'node:assert/strict';
import { test } from 'node:test';

import { planSubmission } from '../src/plan.js';
import { DEFAULT_LIMITS, chooseTransport } from '../src/transport-choice.js';
import { batches } from '../src/transports/bulk.js';
import type { SubmissionItem } from '../src/transports/transport.js';

const MiB = 1024 * 1024;
const limits = { inBandMaxBytes: 20 * MiB, bulkItemMaxBytes: 1 * MiB, bulkMinFiles: 20, uploadChunkBytes: 8 * MiB };

test('auto: many small files go by bulk, few go one by one, large in-band files alone, beyond the limit Grote Berichten', () => {
  assert.equal(chooseTransport(13_000, 500, 'auto', limits), 'bulk');
  assert.equal(chooseTransport(13_000, 19, 'auto', limits), 'single');
  assert.equal(chooseTransport(13_000, 20, 'auto', limits), 'bulk');
  assert.equal(chooseTransport(5 * MiB, 500, 'auto', limits), 'single');
  assert.equal(chooseTransport(20 * MiB, 500, 'auto', limits), 'single');
  assert.equal(chooseTransport(20 * MiB + 1, 1, 'auto', limits), 'grote-berichten');
});

test('forcing a transport: single takes every in-band file; bulk takes every file a bulk item can be', () => {
  assert.equal(chooseTransport(13_000, 500, 'single', limits), 'single');
  assert.equal(chooseTransport(13_000, 1, 'bulk', limits), 'bulk');
  assert.equal(chooseTransport(5 * MiB, 1, 'bulk', limits), 'single');
  assert.equal(chooseTransport(21 * MiB, 1, 'single', limits), 'grote-berichten');
});

const item = (n: number, size = 13_000): SubmissionItem => ({ path: `in/${n}.xml`, absolutePath: `/x/in/${n}.xml`, size, sha256: 'd'.repeat(64), aanleverkenmerk: `run-${n}` });

test('the plan skips what the journal acknowledged and sends files above the in-band limit as Grote Berichten', () => {
  const items = [...Array.from({ length: 30 }, (_, n) => item(n)), item(30, 21 * MiB), item(31, 2 * MiB)];
  const acknowledged = new Set(['run-0', 'run-1', 'run-2']);
  const plan = planSubmission(items, (kenmerk) => acknowledged.has(kenmerk), 'auto', limits);
  assert.deepEqual(plan.skipped.map((i) => i.aanleverkenmerk), ['run-0', 'run-1', 'run-2']);
  assert.equal(plan.send.get('bulk')?.length, 27);
  assert.deepEqual(plan.send.get('single')?.map((i) => i.aanleverkenmerk), ['run-31']);
  assert.deepEqual(plan.send.get('grote-berichten')?.map((i) => i.aanleverkenmerk), ['run-30']);
  assert.deepEqual(plan.unavailable, []);
});

test('a resumed run that has only a few files left sends them one by one', () => {
  const items = Array.from({ length: 500 }, (_, n) => item(n));
  const plan = planSubmission(items, (kenmerk) => Number(kenmerk.slice(4)) >= 10, 'auto', DEFAULT_LIMITS);
  assert.equal(plan.skipped.length, 490);
  assert.equal(plan.send.get('single')?.length, 10);
  assert.equal(plan.send.get('bulk'), undefined);
});

test('bulk batches hold at most so many items and bytes; a larger file has a batch of its own', () => {
  const sizes = [5, 5, 5, 5, 5, 20, 5, 5].map((size, n) => item(n, size));
  assert.deepEqual(batches(sizes, { items: 3, bytes: 12 }).map((batch) => batch.map((i) => i.size)), [[5, 5], [5, 5], [5], [20], [5, 5]]);
  assert.equal(batches(Array.from({ length: 250 }, (_, n) => item(n)), { items: 100, bytes: Infinity }).length, 3);
  assert.deepEqual(batches([], { items: 3, bytes: 12 }), []);
});
