import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEAD_LETTER_STATUS, POORT_FOUTCODE, FOUTCODE, STATUS_DEFINITIONS, endsProcessing } from '@poort/contracts';

import { ENDING_CODES, FINAL_TECHNICAL_FOUTCODES, processOutcome, type StatusResultaat } from '../src/process-outcome.js';
import { renderSummary, summarize, type FollowedProcess } from '../src/summary.js';

const status = (statuscode: string, foutcode?: string): StatusResultaat => ({
  kenmerk: 'k',
  statuscode,
  tijdstempelStatus: '2026-12-01T08:00:00.000Z',
  statusomschrijving: STATUS_DEFINITIONS[statuscode as keyof typeof STATUS_DEFINITIONS]?.omschrijving ?? '?',
  ...(foutcode ? { statusFoutcode: { foutcode, foutbeschrijving: `fout ${foutcode}` } } : {}),
});

test("poort's own table of ending codes is Poort's (@poort/contracts): final or delivered, failure when of class error", () => {
  for (const [code, definition] of Object.entries(STATUS_DEFINITIONS)) {
    const ends = endsProcessing(code, definition.final);
    assert.equal(ENDING_CODES[code] !== undefined, ends, `code ${code}`);
    if (ends) assert.equal(ENDING_CODES[code]!.failed, definition.class === 'error', `code ${code}`);
  }
  assert.deepEqual(Object.keys(ENDING_CODES).filter((code) => !(code in STATUS_DEFINITIONS)), []);
});

test('the foutcodes that make a technical-problem status final are those Poort gives up with', () => {
  const givingUp = new Set<string>([FOUTCODE.nietAfleverbaar, POORT_FOUTCODE.vastgelopen, ...Object.values(DEAD_LETTER_STATUS).map((s) => s.foutcode)]);
  // AFS400 is also every retried delivery attempt's: it cannot tell a final 420 from a passing one.
  givingUp.delete(FOUTCODE.afleverfout);
  assert.deepEqual([...FINAL_TECHNICAL_FOUTCODES].sort(), [...givingUp].sort());
});

test('a process ends with its latest status when that ends it; a passing 420 or a 301 keeps it going', () => {
  assert.deepEqual(processOutcome([]), { kind: 'pending' });
  assert.equal(processOutcome([status('100'), status('110'), status('200'), status('301')]).kind, 'pending');
  assert.deepEqual(processOutcome([status('100'), status('405'), status('400')]), { kind: 'ended', status: status('400'), failed: false });
  assert.equal(processOutcome([status('100'), status('311', 'VAS500')]).kind, 'ended');
  assert.equal(processOutcome([status('405'), status('420', 'AFS400')]).kind, 'pending');
  assert.deepEqual(processOutcome([status('405'), status('420', 'AFS600')]), { kind: 'ended', status: status('420', 'AFS600'), failed: true });
  assert.equal(processOutcome([status('110'), status('230', 'PROCESSING_STUCK')]).kind, 'ended');
  assert.deepEqual(processOutcome([status('400'), status('510')]), { kind: 'ended', status: status('510'), failed: true });
});

test('the summary counts processes per ending status and lists the failures with their foutcode', () => {
  const processes: FollowedProcess[] = [
    ...Array.from({ length: 3 }, (_, n) => ({ kenmerk: `ok-${n}`, path: `in/${n}.xml`, outcome: processOutcome([status('400')]) })),
    { kenmerk: 'bad-1', path: 'in/bad.xml', outcome: processOutcome([status('311', 'VAS500')]) },
    { kenmerk: 'going-1', outcome: processOutcome([status('301')]) },
  ];
  const summary = summarize(processes);
  assert.deepEqual(summary.perStatus.map((row) => [row.statuscode, row.count, row.failed]), [['311', 1, true], ['400', 3, false]]);
  assert.deepEqual(summary.failures.map((p) => p.kenmerk), ['bad-1']);
  assert.deepEqual(summary.pending.map((p) => p.kenmerk), ['going-1']);
  const text = renderSummary(summary);
  assert.match(text, /^4 of 5 processes ended, 1 still going/);
  assert.match(text, /^400\s+Afleveren aan uitvragende partij gelukt\s+3$/m);
  assert.match(text, /^bad-1\s+in\/bad\.xml\s+311\s+VAS500\s+fout VAS500$/m);
  assert.match(text, /^going-1\s+301$/m);
});
