import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { Journal, parseJournal, type JournalEntry } from '../src/journal.js';

const dir = mkdtempSync(join(tmpdir(), 'poort-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry = (n: number): JournalEntry => ({ path: `in/${n}.xml`, sha256: 'c'.repeat(64), aanleverkenmerk: `run-${n}`, kenmerk: `kenmerk-${n}`, at: '2026-12-01T08:00:00.000Z' });

test('what is recorded is there for the next run, one NDJSON line per receipt', () => {
  const file = join(dir, 'a.ndjson');
  const first = Journal.open(file);
  first.record(entry(1));
  first.record(entry(2));
  first.record(entry(1));
  first.close();
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2);
  const second = Journal.open(file);
  assert.equal(second.acknowledged('run-2')?.kenmerk, 'kenmerk-2');
  assert.equal(second.acknowledged('run-3'), undefined);
  second.record(entry(3));
  second.close();
  assert.deepEqual(Journal.open(file).entries.map((e) => e.aanleverkenmerk), ['run-1', 'run-2', 'run-3']);
});

test('a line torn by a kill mid-write is skipped, the lines before it kept, and the journal goes on after it', () => {
  const file = join(dir, 'torn.ndjson');
  appendFileSync(file, `${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2)).slice(0, 30)}`);
  const journal = Journal.open(file);
  assert.deepEqual(journal.entries.map((e) => e.aanleverkenmerk), ['run-1']);
  journal.record(entry(2));
  journal.close();
  // The new entry starts on a line of its own: the torn text stays one bad line, the new one parses.
  assert.deepEqual(Journal.open(file).entries.map((e) => e.aanleverkenmerk), ['run-1', 'run-2']);
});

test('lines that are not whole entries are not taken for receipts', () => {
  const text = [JSON.stringify(entry(1)), '{"path":"x"}', 'null', '42', JSON.stringify({ ...entry(2), kenmerk: '' }), ''].join('\n');
  assert.deepEqual(parseJournal(text).map((e) => e.aanleverkenmerk), ['run-1']);
});
