import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rangeRequest } from '../src/files/byte-range.js';

const ETAG = '"abc"';
const of1000 = (range: string | undefined, ifRange?: string) => rangeRequest(1_000, range, ifRange, ETAG);

describe('rangeRequest: what a GET asks of a file of 1000 bytes', () => {
  it('no Range: the whole file', () => {
    assert.deepEqual(of1000(undefined), { kind: 'whole' });
  });

  it('one range in each form: a-b, a-, -n (clipped to the file)', () => {
    assert.deepEqual(of1000('bytes=0-99'), { kind: 'partial', start: 0, end: 99 });
    assert.deepEqual(of1000('bytes=999-999'), { kind: 'partial', start: 999, end: 999 });
    assert.deepEqual(of1000('bytes=500-'), { kind: 'partial', start: 500, end: 999 });
    assert.deepEqual(of1000('bytes=900-5000'), { kind: 'partial', start: 900, end: 999 });
    assert.deepEqual(of1000('bytes=-100'), { kind: 'partial', start: 900, end: 999 });
    assert.deepEqual(of1000('bytes=-5000'), { kind: 'partial', start: 0, end: 999 });
    assert.deepEqual(of1000('Bytes = 10 - 20'), { kind: 'partial', start: 10, end: 20 });
  });

  it('a range the file cannot have: unsatisfiable (416)', () => {
    assert.deepEqual(of1000('bytes=1000-'), { kind: 'unsatisfiable' });
    assert.deepEqual(of1000('bytes=5000-6000'), { kind: 'unsatisfiable' });
    assert.deepEqual(of1000('bytes=-0'), { kind: 'unsatisfiable' });
    assert.deepEqual(rangeRequest(0, 'bytes=0-0', undefined, ETAG), { kind: 'unsatisfiable' });
  });

  it('several ranges, another unit, nonsense and reversed ranges: the whole file (RFC 9110 lets a server ignore them)', () => {
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=abc', 'bytes=', 'bytes=-', 'bytes=20-10']) {
      assert.deepEqual(of1000(range), { kind: 'whole' }, range);
    }
  });

  it('If-Range: the range only while the ETag matches', () => {
    assert.deepEqual(of1000('bytes=0-9', ETAG), { kind: 'partial', start: 0, end: 9 });
    assert.deepEqual(of1000('bytes=0-9', '"other"'), { kind: 'whole' });
    assert.deepEqual(of1000('bytes=0-9', 'Tue, 01 Dec 2026 00:00:00 GMT'), { kind: 'whole' });
  });
});
