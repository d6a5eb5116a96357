import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Operators } from '@poort/nest-edge';
import { parseOin, type ClientIdentity } from '@poort/pki';

import type { BulkAnswerLine, BulkItemAnswer } from '../src/bulk/bulk-answers.js';
import { BulkStatusService } from '../src/bulk/bulk-status.service.js';
import { BulkSubmissionService, type BulkLimits } from '../src/bulk/bulk-submission.service.js';
import { BulksRepository } from '../src/bulk/bulks.repository.js';
import { SENDER, SubmissionFixture, base64, invoice } from './submission-fixture.js';

// Bulk aanleveren against a scratch database with the real migrations: the NDJSON stream through SubmissionService,
// the answers in input order, bulk_items as the bulk status reads them, and a resubmitted bulk storing nothing new.

const OTHER: ClientIdentity = { ...SENDER, oin: parseOin('00000099000000000002'), fingerprintSha256: 'd4'.repeat(32) };
const OPERATOR: ClientIdentity = { ...SENDER, oin: parseOin('00000099000000000003'), fingerprintSha256: 'e5'.repeat(32) };
const LIMITS: BulkLimits = { maxItems: 100, maxLineBytes: 64 * 1024, maxTotalBytes: 16 * 1024 * 1024, concurrency: 4 };

let fixture: SubmissionFixture;
let bulks: BulksRepository;
const failures: unknown[] = [];

before(async () => {
  fixture = await SubmissionFixture.create('ingress_bulk');
  bulks = new BulksRepository(fixture.db.pool, 7 * 24 * 60 * 60 * 1000);
});
after(async () => {
  await fixture?.drop();
});

const service = (limits: Partial<BulkLimits> = {}) =>
  new BulkSubmissionService(fixture.service(), bulks, { ...LIMITS, ...limits }, (failure) => failures.push(failure));
const statuses = () => new BulkStatusService(bulks, new Operators([OPERATOR.oin]));

const item = (aanleverkenmerk: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    berichtsoort: 'e-factuur',
    aanleverkenmerk,
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: `${aanleverkenmerk}.xml`, inhoud: base64(invoice) },
    ...overrides,
  });

/** The body in chunks of `size` bytes, cutting lines anywhere; optionally failing (a client gone) after `failAfter` chunks. */
async function* chunked(lines: readonly string[], size = 1000, failAfter?: number): AsyncGenerator<Uint8Array> {
  const body = Buffer.from(lines.join('\n'));
  for (let at = 0, n = 0; at < body.length; at += size, n++) {
    if (n === failAfter) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    yield body.subarray(at, at + size);
  }
}

async function submitBulk(sender: ClientIdentity, lines: AsyncIterable<Uint8Array>, limits: Partial<BulkLimits> = {}) {
  const run = await service(limits).start(sender, lines);
  const answers: BulkAnswerLine[] = [];
  for await (const answer of run.answers) answers.push(answer);
  return { bulkId: run.bulkId, answers };
}

const itemsOf = (answers: readonly BulkAnswerLine[]) => answers.filter((answer): answer is BulkItemAnswer => 'index' in answer);

describe('bulk aanleveren: an NDJSON stream of single submissions', () => {
  let first: { bulkId: string; answers: BulkAnswerLine[] };
  const lines = [
    item('bulk-0'),
    '{"berichtsoort": "e-factuur", ',
    item('bulk-2'),
    item('bulk-3', { rolBelanghebbende: undefined }),
    '',
    item('bulk-4', { berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'groot.xml', inhoud: 'A'.repeat(80 * 1024) } }),
    item('bulk-5', { berichtsoort: 'onbekend' }),
    ...Array.from({ length: 10 }, (_, index) => item(`bulk-${6 + index}`)),
  ];

  test('every item is answered in input order: a kenmerk, or a coded refusal of only that line', async () => {
    const before = await fixture.stored();
    first = await submitBulk(SENDER, chunked(lines, 777));
    const items = itemsOf(first.answers);
    assert.deepEqual(items.map((answer) => answer.index), Array.from({ length: 16 }, (_, index) => index));
    const refused = items.filter((answer) => 'fout' in answer);
    assert.deepEqual(
      refused.map((answer) => [answer.index, answer.aanleverkenmerk, 'fout' in answer && answer.fout.foutcode]),
      [
        [1, undefined, 'ALS100'],
        [3, 'bulk-3', 'ALS100'],
        [4, undefined, 'ALS100'],
        [5, 'bulk-5', 'ALS100'],
      ],
    );
    assert.match('fout' in refused[0]! ? refused[0].fout.foutbeschrijving : '', /geen JSON/);
    assert.match('fout' in refused[1]! ? refused[1].fout.foutbeschrijving : '', /rolBelanghebbende/);
    assert.match('fout' in refused[2]! ? refused[2].fout.foutbeschrijving : '', /langer dan 65536 bytes/);
    assert.match('fout' in refused[3]! ? refused[3].fout.foutbeschrijving : '', /onbekend/);
    assert.deepEqual(first.answers.at(-1), { samenvatting: { bulkId: first.bulkId, geaccepteerd: 12, geweigerd: 4 } });
    assert.equal((await fixture.stored()).messages - before.messages, 12);
    const accepted = items.filter((answer) => 'kenmerk' in answer);
    assert.equal(new Set(accepted.map((answer) => 'kenmerk' in answer && answer.kenmerk)).size, 12);
    assert.deepEqual(failures, []);
  });

  test('the bulk status lists every item as answered, for its sender and an operator, and for no one else', async () => {
    const status = await statuses().status(SENDER, first.bulkId, { vanaf: 0, aantal: 1000 });
    assert.equal(status.afgerond, true);
    assert.deepEqual(status.samenvatting, { geaccepteerd: 12, geweigerd: 4 });
    assert.deepEqual(
      status.items.map(({ index, aanleverkenmerk, ...rest }) => ({ index, aanleverkenmerk, ...('kenmerk' in rest ? { kenmerk: rest.kenmerk } : { fout: rest.fout }) })),
      itemsOf(first.answers).map((answer) => ({ aanleverkenmerk: undefined, ...answer })),
    );
    assert.equal(status.volgendeVanaf, undefined);
    assert.equal((await statuses().status(OPERATOR, first.bulkId, { vanaf: 0, aantal: 1000 })).items.length, 16);
    await assert.rejects(statuses().status(OTHER, first.bulkId, { vanaf: 0, aantal: 1000 }), { code: 'STS100', kind: 'not-found' });
    await assert.rejects(statuses().status(SENDER, 'geen-uuid', { vanaf: 0, aantal: 1000 }), { code: 'STS100', kind: 'not-found' });
  });

  test('the status pages through the items by index', async () => {
    const page = await statuses().status(SENDER, first.bulkId, { vanaf: 5, aantal: 4 });
    assert.deepEqual(page.items.map((entry) => entry.index), [5, 6, 7, 8]);
    assert.equal(page.volgendeVanaf, 9);
    const last = await statuses().status(SENDER, first.bulkId, { vanaf: 12, aantal: 4 });
    assert.deepEqual(last.items.map((entry) => entry.index), [12, 13, 14, 15]);
    assert.equal(last.volgendeVanaf, undefined);
  });

  test('an item status carries the message progress the status service recorded', async () => {
    const kenmerk = itemsOf(first.answers).find((answer) => 'kenmerk' in answer && answer.index === 0)!;
    await fixture.db.pool.query(
      `INSERT INTO message_progress (kenmerk, berichtsoort, sender_oin, belanghebbende_nummer, belanghebbende_type, last_statuscode, last_status_at, done)
       VALUES ($1, 'e-factuur', $2, '123456782', 'Fi', '400', '2026-12-01T08:00:00Z', true)`,
      ['kenmerk' in kenmerk ? kenmerk.kenmerk : '', SENDER.oin],
    );
    const [entry] = (await statuses().status(SENDER, first.bulkId, { vanaf: 0, aantal: 1 })).items;
    assert.deepEqual('status' in entry! ? entry.status : undefined, { statuscode: '400', statusomschrijving: 'Afleveren aan uitvragende partij gelukt', tijdstempelStatus: '2026-12-01T08:00:00.000Z', eind: true });
  });

  test('the same bulk again stores nothing and answers the same kenmerken, under a new bulkId', async () => {
    const before = await fixture.stored();
    const again = await submitBulk(SENDER, chunked(lines, 4096));
    assert.notEqual(again.bulkId, first.bulkId);
    assert.deepEqual(itemsOf(again.answers), itemsOf(first.answers));
    assert.deepEqual(await fixture.stored(), before);
  });

  test('past the item limit the bulk is cut short: the summary says so and the rest is not read', async () => {
    const { answers } = await submitBulk(SENDER, chunked([item('limit-0'), item('limit-1'), item('limit-2'), item('limit-3')]), { maxItems: 2 });
    assert.equal(itemsOf(answers).length, 2);
    const summary = answers.at(-1);
    assert.ok(summary && 'samenvatting' in summary);
    assert.equal(summary.samenvatting.geaccepteerd, 2);
    assert.equal(summary.samenvatting.afgebroken?.foutcode, 'ALS100');
    assert.match(summary.samenvatting.afgebroken?.foutbeschrijving ?? '', /meer dan 2 items/);
    const status = await statuses().status(SENDER, summary.samenvatting.bulkId, { vanaf: 0, aantal: 10 });
    assert.deepEqual(status.samenvatting.afgebroken, summary.samenvatting.afgebroken);
  });

  test('past the byte limit the bulk is cut where it passed it: the items before are answered, the summary says so', async () => {
    const lines = [item('bytes-0'), item('bytes-1'), item('bytes-2')];
    const limit = lines[0]!.length + 1 + lines[1]!.length + 10;
    const { answers } = await submitBulk(SENDER, chunked(lines, 300), { maxTotalBytes: limit });
    assert.deepEqual(itemsOf(answers).map((answer) => 'kenmerk' in answer && answer.aanleverkenmerk), ['bytes-0', 'bytes-1']);
    const summary = answers.at(-1);
    assert.ok(summary && 'samenvatting' in summary);
    assert.match(summary.samenvatting.afgebroken?.foutbeschrijving ?? '', new RegExp(`groter dan ${limit} bytes`));
  });

  test('a client gone mid-stream: what was in hand is stored and recorded, the bulk stays open, no summary', async () => {
    const lines = Array.from({ length: 6 }, (_, index) => item(`gone-${index}`));
    const run = await service().start(SENDER, chunked(lines, 2000, Math.ceil(lines.join('\n').length / 2000 / 2)));
    const answers: BulkAnswerLine[] = [];
    await assert.rejects(async () => {
      for await (const answer of run.answers) answers.push(answer);
    }, /aborted/);
    assert.ok(answers.length > 0 && answers.every((answer) => 'kenmerk' in answer));
    const status = await statuses().status(SENDER, run.bulkId, { vanaf: 0, aantal: 100 });
    assert.equal(status.afgerond, false);
    assert.deepEqual(status.items.map((entry) => 'kenmerk' in entry && entry.kenmerk), answers.map((answer) => 'kenmerk' in answer && answer.kenmerk));
  });

  test('a bulk older than the retention is forgotten by a later one; its messages stay', async () => {
    const shortLived = new BulksRepository(fixture.db.pool, 50);
    const submit = (lines: string[]) =>
      new BulkSubmissionService(fixture.service(), shortLived, LIMITS, (failure) => failures.push(failure)).start(SENDER, chunked(lines));
    const old = await submit([item('retention-0')]);
    for await (const _ of old.answers);
    const messages = await fixture.db.count('messages');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fresh = await submit([item('retention-1')]);
    for await (const _ of fresh.answers);
    await assert.rejects(statuses().status(SENDER, old.bulkId, { vanaf: 0, aantal: 10 }), { kind: 'not-found' });
    assert.equal((await statuses().status(SENDER, fresh.bulkId, { vanaf: 0, aantal: 10 })).items.length, 1);
    assert.equal(await fixture.db.count('messages'), messages + 1);
  });
});
