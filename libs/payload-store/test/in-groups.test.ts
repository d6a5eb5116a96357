import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { inGroupsOfAtMost } from '../src/payload-store.js';

describe('inGroupsOfAtMost', () => {
  const size = (item: number) => item;

  it('keeps the order and fills each group up to the limit', () => {
    assert.deepEqual(inGroupsOfAtMost([3, 4, 2, 5, 1, 1], size, 7), [[3, 4], [2, 5], [1, 1]]);
  });

  it('gives an item larger than the limit a group of its own, and loses nothing', () => {
    assert.deepEqual(inGroupsOfAtMost([2, 20, 3, 30], size, 10), [[2], [20], [3], [30]]);
    assert.deepEqual(inGroupsOfAtMost([], size, 10), []);
  });

  it('puts a run of small items in one group', () => {
    assert.deepEqual(inGroupsOfAtMost([1, 1, 1, 1], size, 10), [[1, 1, 1, 1]]);
  });
});
