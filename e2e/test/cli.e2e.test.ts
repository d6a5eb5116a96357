import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, ROOT, Terminal } from '../src/index.js';

const INVOICES = 500;
const CLI = join(ROOT, 'cli/dist/src/main.js');

interface JournalLine {
  path: string;
  aanleverkenmerk: string;
  kenmerk: string;
}

/**
 * The submitter CLI as a user runs it, in a terminal (tmux), against the whole chain over two-way TLS: a folder of
 * 500 invoices (one invoice's content under 500 names: 500 distinct submissions), a progress bar with rate and ETA,
 * Ctrl-C at about half, a second run that resumes from the journal without doubling anything, and `follow` until
 * every message has its final status.
 *
 * The first run sends one by one; the resumed run lets the CLI choose (auto: the bulk API where ingress has it, one by
 * one where bulk answers 404), so a journal written by one transport is resumed by the other.
 */
describe('poort, the submitter CLI, in a terminal against the chain', () => {
  let e2e: E2eChain;
  let terminal: Terminal;
  let work: string;
  let connection: string;
  const journal = () => join(work, 'journal.ndjson');
  const journalLines = (): JournalLine[] =>
    readFileSync(journal(), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as JournalLine);
  // The interrupted run sends one invoice per request, two at a time, so that Ctrl-C lands while it runs (in bulks of
  // hundreds the folder is through in a second); the resumed run lets the CLI choose (bulk, where ingress has it).
  const submitCommand = (transport: 'single' | 'auto') =>
    `${process.execPath} ${CLI} ${connection} submit invoices --journal journal.ndjson --run e2e --concurrency 2 --transport ${transport} ` +
    `--berichtsoort e-factuur --belanghebbende Fi:001000044B37 --rol Bedrijf`;

  before(async () => {
    e2e = await E2eChain.start('cli');
    terminal = new Terminal();
    work = join(ROOT, '.local', `cli-e2e-${e2e.namespace.slice(0, -1)}`);
    mkdirSync(join(work, 'invoices'), { recursive: true });
    const sample = join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml');
    for (let n = 1; n <= INVOICES; n++) copyFileSync(sample, join(work, 'invoices', `factuur-${String(n).padStart(4, '0')}.xml`));
    const sender = e2e.pki.clients['sender-a'];
    connection = `--ingress ${e2e.chain.url('ingress')} --notification ${e2e.chain.url('notification')} --cert ${sender.cert} --key ${sender.key} --ca ${e2e.pki.caChain}`;
  });
  after(async () => {
    terminal?.close();
    await e2e?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('submit shows a progress bar with rate and ETA, and Ctrl-C at about half stops it with what was acknowledged in the journal', { timeout: 15 * 60_000 }, async (t) => {
    const session = terminal.run(submitCommand('single'), work);
    const progressLine = await waitFor(
      'the progress bar past half',
      async () => {
        const lines = terminal.screen(session).split('\n');
        const bar = lines.findLast((line) => /\d+\/500 files/.test(line));
        const done = Number(/(\d+)\/500 files/.exec(bar ?? '')?.[1] ?? 0);
        // Ctrl-C lands a moment after the screen shows this (a few hundred files a second): about half.
        return done >= INVOICES * 0.45 ? bar : undefined;
      },
      10 * 60_000,
      50,
    );
    terminal.keys(session, 'C-c');
    // The bar, its count, its rate per second and its ETA, as the user saw them.
    assert.match(progressLine, /[█░]{30} \d+% \| \d+\/500 files \| \d+\.\d\/s \| ETA (\d+[hms])+ \|/);
    assert.equal(await terminal.exitCode(session, 60_000), 130, terminal.screen(session));
    const screen = terminal.screen(session);
    assert.match(screen, /interrupted: what was acknowledged is in .*journal\.ndjson; run the same command again to resume/);
    const acknowledged = journalLines().length;
    assert.ok(acknowledged >= INVOICES * 0.45 && acknowledged < INVOICES, `journal holds ${acknowledged}`);
    // Poort may hold more than the journal: accepted, but their receipts cut off by Ctrl-C (a bulk's items are
    // stored ahead of their answer lines). The resumed run sends those again with the same aanleverkenmerk.
    const stored = await e2e.count('messages');
    assert.ok(stored >= acknowledged, `Poort holds ${stored}`);
    t.diagnostic(`progress when interrupted: ${progressLine.trim()}`);
    t.diagnostic(`journal ${acknowledged}, Poort ${stored} messages after Ctrl-C`);
  });

  test('the same command again resumes from the journal: every invoice acknowledged, and Poort holds exactly 500 messages', { timeout: 15 * 60_000 }, async () => {
    const before = journalLines().length;
    const session = terminal.run(submitCommand('auto'), work);
    assert.equal(await terminal.exitCode(session, 10 * 60_000), 0, terminal.screen(session));
    const screen = terminal.screen(session);
    assert.match(screen, new RegExp(`resuming: ${before} of 500 files already acknowledged`));
    assert.match(screen, new RegExp(`submitting ${INVOICES - before} of 500 files`));
    assert.match(screen, new RegExp(`${INVOICES - before} acknowledged in this run, ${before} before; 0 refused`));
    // The bar counts the whole folder: it went on from where the journal stood.
    assert.match(screen, /100% \| 500\/500 files \|/);

    const lines = journalLines();
    assert.equal(lines.length, INVOICES);
    assert.equal(new Set(lines.map((line) => line.path)).size, INVOICES);
    assert.equal(new Set(lines.map((line) => line.aanleverkenmerk)).size, INVOICES);
    // No duplicates at Poort: one message per invoice, and they are the ones the journal holds.
    const { rows } = await e2e.db.query<{ kenmerk: string; aanleverkenmerk: string }>(
      `SELECT kenmerk, aanleverkenmerk FROM messages WHERE sender_oin = $1`,
      [e2e.pki.clients['sender-a'].oin],
    );
    assert.equal(rows.length, INVOICES);
    assert.equal(new Set(rows.map((row) => row.aanleverkenmerk)).size, INVOICES);
    assert.deepEqual(rows.map((row) => row.kenmerk).sort(), lines.map((line) => line.kenmerk).sort());
  });

  test('follow waits for every final status and ends with a summary: all 500 delivered (400)', { timeout: 30 * 60_000 }, async (t) => {
    const session = terminal.run(`${process.execPath} ${CLI} ${connection} follow --journal journal.ndjson --interval 2000`, work);
    assert.equal(await terminal.exitCode(session, 25 * 60_000), 0, terminal.screen(session));
    const screen = terminal.screen(session);
    assert.match(screen, /500 of 500 processes ended/);
    assert.match(screen, /^400\s+Afleveren aan uitvragende partij gelukt\s+500$/m);
    assert.doesNotMatch(screen, /Failures/);
    for (const line of screen.trim().split('\n').slice(-8)) t.diagnostic(line);
  });
});
