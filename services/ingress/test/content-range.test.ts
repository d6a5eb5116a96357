import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Refusal } from '@poort/contracts';
import { missingRanges } from '@poort/payload-store';

import { parseContentRange } from '../src/grote-berichten/content-range.js';

const refusalOf = (attempt: () => unknown): Pick<Refusal, 'code' | 'kind'> => {
  try {
    attempt();
  } catch (error) {
    assert.ok(error instanceof Refusal);
    return { code: error.code, kind: error.kind };
  }
  return assert.fail('not refused');
};

test('a Content-Range within the announced file is read as its first and last byte', () => {
  assert.deepEqual(parseContentRange('bytes 0-99/1000', 1000), { start: 0, end: 99, total: 1000 });
  assert.deepEqual(parseContentRange(['bytes 999-999/1000'], 1000), { start: 999, end: 999, total: 1000 });
  assert.deepEqual(parseContentRange(' bytes 5-9/10 ', 10), { start: 5, end: 9, total: 10 });
});

test('a missing, repeated or malformed Content-Range is 400; another total or a range outside the file is 416', () => {
  const invalid = { code: 'UPLOAD_RANGE_INVALID', kind: 'invalid' };
  const unsatisfiable = { code: 'UPLOAD_RANGE_NOT_SATISFIABLE', kind: 'range-not-satisfiable' };
  assert.deepEqual(refusalOf(() => parseContentRange(undefined, 10)), invalid);
  assert.deepEqual(refusalOf(() => parseContentRange([], 10)), invalid);
  assert.deepEqual(refusalOf(() => parseContentRange(['bytes 0-1/10', 'bytes 2-3/10'], 10)), invalid);
  for (const header of ['bytes=0-1', 'bytes 0-1/*', 'bytes */10', 'bytes -1-2/10', 'items 0-1/10', 'bytes 0-1/10/10', 'bytes 0-99999999999999999/10']) {
    assert.deepEqual(refusalOf(() => parseContentRange(header, 10)), invalid, header);
  }
  assert.deepEqual(refusalOf(() => parseContentRange('bytes 0-1/11', 10)), unsatisfiable);
  assert.deepEqual(refusalOf(() => parseContentRange('bytes 5-10/10', 10)), unsatisfiable);
  assert.deepEqual(refusalOf(() => parseContentRange('bytes 6-5/10', 10)), unsatisfiable);
});

test('what is missing of a file is every byte no received range covers', () => {
  assert.deepEqual(missingRanges([], 10), [{ start: 0, end: 9 }]);
  assert.deepEqual(missingRanges([{ start: 0, end: 9 }], 10), []);
  assert.deepEqual(missingRanges([{ start: 2, end: 3 }, { start: 6, end: 7 }], 10), [{ start: 0, end: 1 }, { start: 4, end: 5 }, { start: 8, end: 9 }]);
  assert.deepEqual(missingRanges([{ start: 0, end: 4 }, { start: 5, end: 9 }], 10), []);
});
