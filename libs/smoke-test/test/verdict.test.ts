import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { verdictOf } from '../src/verdict.js';

const statuses = (...codes: string[]) => codes.map((statuscode) => ({ statuscode }));

describe('verdictOf', () => {
  it('passes once the expected status is there', () => {
    assert.deepEqual(verdictOf(statuses('100', '110', '200', '301', '405', '400'), '400'), { kind: 'passed', status: '400' });
  });

  it('waits while the process is on its way, or retrying after a technical problem', () => {
    assert.deepEqual(verdictOf(statuses('100', '110', '200'), '400'), { kind: 'waiting' });
    assert.deepEqual(verdictOf(statuses('100', '110', '200', '301', '405', '420'), '400'), { kind: 'waiting' });
  });

  it('fails on a final error status, with its foutcode', () => {
    const refused = [...statuses('100', '110'), { statuscode: '210', statusFoutcode: { foutcode: 'ALS100', foutbeschrijving: 'niet geautoriseerd' } }];
    assert.deepEqual(verdictOf(refused, '400'), { kind: 'failed', status: '210', detail: 'ALS100 niet geautoriseerd' });
    assert.deepEqual(verdictOf(statuses('100', '110', '200', '311'), '400'), { kind: 'failed', status: '311', detail: 'no foutcode' });
  });
});
