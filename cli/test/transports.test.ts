import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

import { generateTestPki, type TestPki } from '@poort/pki';

import { deriveAanleverkenmerk } from '../src/aanleverkenmerk.js';
import { EXIT } from '../src/exit-codes.js';
import { parseJournal } from '../src/journal.js';
import { run } from '../src/program.js';
import { FakePoort } from './support/fake-poort.js';

/**
 * poort against a real HTTPS server of the test's own that speaks ingress's submission and bulk APIs (docs/bulk.md)
 * with scripted trouble; what the server stored is what counts.
 */
describe('poort submit against a Poort that speaks the APIs, with trouble', () => {
  let dir: string;
  let pki: TestPki;
  let poort: FakePoort;
  let folder: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poort-cli-'));
    pki = await generateTestPki(join(dir, 'pki'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    await poort?.stop();
    poort = await new FakePoort(pki).start();
    folder = mkdtempSync(join(dir, 'run-'));
    mkdirSync(join(folder, 'in'));
  });
  after(async () => {
    await poort?.stop();
  });

  const writeInvoices = (count: number, content = (n: number) => `<Invoice>${n % 2}</Invoice>`) => {
    for (let n = 0; n < count; n++) writeFileSync(join(folder, 'in', `invoice-${String(n).padStart(4, '0')}.xml`), content(n));
  };
  const poortCli = (...args: string[]) =>
    run([
      '--ingress', poort.url, '--notification', poort.url,
      '--cert', pki.clients['sender-a'].cert, '--key', pki.clients['sender-a'].key, '--ca', pki.caChain,
      ...args,
    ]);
  const submit = (...args: string[]) =>
    poortCli('submit', join(folder, 'in'), '--journal', join(folder, 'journal.ndjson'), '--berichtsoort', 'e-factuur', '--belanghebbende', 'Fi:001000044B37', '--rol', 'Bedrijf', ...args);
  const journal = () => parseJournal(readFileSync(join(folder, 'journal.ndjson'), 'utf8'));

  test('a bulk whose answer is cut off, with items to try again and busy answers, ends with every file stored once', async () => {
    writeInvoices(120);
    poort.busyAnswers = 2;
    poort.cutNextBulkAfter = 30;
    poort.tryAgainOnce.add(aanleverkenmerkOf('poort', 'in/invoice-0005.xml', '<Invoice>1</Invoice>'));
    poort.tryAgainOnce.add(aanleverkenmerkOf('poort', 'in/invoice-0100.xml', '<Invoice>0</Invoice>'));
    const code = await submit('--transport', 'bulk', '--bulk-size', '50', '--concurrency', '2');
    assert.equal(code, EXIT.ok);
    assert.equal(poort.stored.size, 120);
    assert.equal(poort.tryAgainOnce.size, 0, 'both ALS400 items were answered so, then sent again');
    const entries = journal();
    assert.equal(entries.length, 120);
    assert.equal(new Set(entries.map((e) => e.kenmerk)).size, 120);
    for (const entry of entries) assert.equal(poort.stored.get(entry.aanleverkenmerk)?.kenmerk, entry.kenmerk);
    assert.ok(poort.requests.some((r) => r.status === 503), 'busy answers were given');
    assert.ok(poort.requests.filter((r) => r.path === '/api/v1/bulk' && r.status === 200).length >= 4, 'the cut-off bulk was sent again');
  });

  test('an item Poort cannot take now (ALS400) is sent again; a refused one (ALS100) is reported and the run exits 3', async () => {
    writeInvoices(40, (n) => (n === 7 ? '<Invoice>INVALID</Invoice>' : `<Invoice>${n}</Invoice>`));
    const first = await submit('--transport', 'bulk', '--run', 'probe');
    assert.equal(first, EXIT.refused);
    assert.equal(poort.stored.size, 39);
    // Again, with one stored item that answers ALS400 first: nothing new is stored, nothing is refused twice over.
    const firstAcknowledged = journal()[0]!.aanleverkenmerk;
    rmSync(join(folder, 'journal.ndjson'));
    poort.tryAgainOnce.add(firstAcknowledged);
    const second = await submit('--transport', 'bulk', '--run', 'probe');
    assert.equal(second, EXIT.refused);
    assert.equal(poort.stored.size, 39);
    assert.equal(journal().length, 39);
    assert.equal(poort.tryAgainOnce.size, 0, 'the ALS400 was given, and the item sent again');
  });

  test('an interrupted run resumes from the journal: only what was not acknowledged is sent', async () => {
    writeInvoices(30);
    assert.equal(await submit('--transport', 'single'), EXIT.ok);
    const requestsBefore = poort.requests.length;
    // Lose the last 5 receipts, as a kill before the journal line was written would.
    const kept = readFileSync(join(folder, 'journal.ndjson'), 'utf8').trim().split('\n').slice(0, 25);
    writeFileSync(join(folder, 'journal.ndjson'), `${kept.join('\n')}\n`);
    assert.equal(await submit('--transport', 'single'), EXIT.ok);
    assert.equal(poort.requests.length - requestsBefore, 5);
    assert.equal(poort.stored.size, 30);
    assert.equal(journal().length, 30);
    // Nothing left: no request at all.
    assert.equal(await submit(), EXIT.ok);
    assert.equal(poort.requests.length - requestsBefore, 5);
  });

  test('single submissions wait out busy answers (503 + Retry-After) without counting them as refused', async () => {
    writeInvoices(3);
    poort.busyAnswers = 3;
    assert.equal(await submit('--transport', 'single', '--concurrency', '1'), EXIT.ok);
    assert.equal(poort.requests.filter((r) => r.status === 503).length, 3);
    assert.equal(poort.stored.size, 3);
  });

  test('on a Poort without the bulk API, auto sends one by one; a forced bulk is refused with BULK_UNAVAILABLE', async () => {
    writeInvoices(25);
    poort.bulkAvailable = false;
    assert.equal(await submit('--transport', 'bulk', '--run', 'forced'), EXIT.refused);
    assert.equal(poort.stored.size, 0);
    assert.equal(await submit('--run', 'auto'), EXIT.ok);
    assert.equal(poort.stored.size, 25);
    assert.ok(poort.requests.some((r) => r.path === '/api/v1/bulk' && r.status === 404));
  });

  test('a file above the in-band limit goes as a Grote Bericht: announced, PUT in ranges, acknowledged with its kenmerk', async () => {
    writeInvoices(2);
    const big = Buffer.from(Array.from({ length: 50_000 }, (_, n) => n % 251));
    writeFileSync(join(folder, 'in', 'big.xml'), big);
    poort.cutNextPutAfterBytes = 5_000;
    assert.equal(await submit('--in-band-max', '4096', '--upload-chunk', '16384'), EXIT.ok);
    assert.equal(poort.stored.size, 3);
    const upload = [...poort.uploads.values()][0]!;
    assert.ok(upload.bytes.equals(big));
    assert.equal(journal().find((entry) => entry.path === 'in/big.xml')?.kenmerk, upload.kenmerk);
    // The first PUT was cut off after 5,000 bytes and sent again; then the rest in ranges of 16 KiB.
    assert.deepEqual(poort.puts, ['0-16383', '0-16383', '16384-32767', '32768-49151', '49152-49999']);
    assert.ok(!poort.requests.some((r) => r.path === '/api/v1/aanleveren' && r.status !== 200));
  });

  test('an upload broken off mid-way resumes from what Poort says is missing: only that is sent again', async () => {
    const big = Buffer.from(Array.from({ length: 40_000 }, (_, n) => (n * 7) % 256));
    writeFileSync(join(folder, 'in', 'big.xml'), big);
    poort.failPutsAfter = 2;
    assert.equal(await submit('--in-band-max', '4096', '--upload-chunk', '10000'), EXIT.refused);
    assert.equal(poort.stored.size, 0);
    poort.failPutsAfter = undefined;
    poort.puts.length = 0;
    assert.equal(await submit('--in-band-max', '4096', '--upload-chunk', '10000'), EXIT.ok);
    assert.deepEqual(poort.puts, ['20000-29999', '30000-39999']);
    assert.ok([...poort.uploads.values()][0]!.bytes.equals(big));
    assert.equal(journal().length, 1);
    // Once more: the journal holds it, nothing is sent.
    const requests = poort.requests.length;
    assert.equal(await submit('--in-band-max', '4096'), EXIT.ok);
    assert.equal(poort.requests.length, requests);
  });

  test('a certificate Poort does not trust, or a server poort does not trust, is a TLS error: exit 5 at once', async () => {
    writeInvoices(1);
    const untrusted = await run(['--ingress', poort.url, '--cert', pki.clients.untrusted.cert, '--key', pki.clients.untrusted.key, '--ca', pki.caChain, 'submit', join(folder, 'in'), '--journal', join(folder, 'j1'), '--berichtsoort', 'e-factuur', '--belanghebbende', 'Fi:1', '--rol', 'Bedrijf']);
    assert.equal(untrusted, EXIT.connection);
    const unknownCa = await run(['--ingress', poort.url, '--cert', pki.clients['sender-a'].cert, '--key', pki.clients['sender-a'].key, '--ca', pki.untrustedRoot, 'submit', join(folder, 'in'), '--journal', join(folder, 'j2'), '--berichtsoort', 'e-factuur', '--belanghebbende', 'Fi:1', '--rol', 'Bedrijf']);
    assert.equal(unknownCa, EXIT.connection);
    assert.equal(poort.stored.size, 0);
  });

  test('follow waits until every process has ended and exits 4 when one failed; status shows them now', async () => {
    poort.statuses.set('k-ok', [{ kenmerk: 'k-ok', statuscode: '400', statusomschrijving: 'Afleveren aan uitvragende partij gelukt', tijdstempelStatus: '2026-12-01T08:00:00Z' }]);
    poort.statuses.set('k-bad', [{ kenmerk: 'k-bad', statuscode: '311', statusomschrijving: 'Validatie mislukt', tijdstempelStatus: '2026-12-01T08:00:00Z', statusFoutcode: { foutcode: 'VAS500', foutbeschrijving: 'regel 3' } }]);
    poort.statuses.set('k-late', [{ kenmerk: 'k-late', statuscode: '301', statusomschrijving: 'Validatie geslaagd', tijdstempelStatus: '2026-12-01T08:00:00Z' }]);
    setTimeout(() => poort.statuses.get('k-late')!.push({ kenmerk: 'k-late', statuscode: '400', statusomschrijving: 'Afleveren aan uitvragende partij gelukt', tijdstempelStatus: '2026-12-01T08:00:01Z' }), 1_500);
    assert.equal(await poortCli('follow', 'k-ok', 'k-bad', 'k-late', '--interval', '300'), EXIT.failed);
    assert.equal(await poortCli('status', 'k-ok', 'k-late'), EXIT.ok);
    assert.equal(await poortCli('status', 'k-bad'), EXIT.failed);
    assert.equal(await poortCli('follow', 'k-unknown', '--interval', '200', '--timeout', '1'), EXIT.timeout);
  });
});

const aanleverkenmerkOf = (run: string, path: string, content: string) => deriveAanleverkenmerk(run, path, createHash('sha256').update(content).digest('hex'));
