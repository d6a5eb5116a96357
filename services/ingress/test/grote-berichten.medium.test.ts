import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Refusal, STATUS, TOPICS, type AanleverResponse } from '@poort/contracts';
import { PoortMetrics } from '@poort/observability';
import { CHUNK_BYTES, StagedUploads } from '@poort/payload-store';
import { parseOin, type ClientIdentity } from '@poort/pki';

import type { UploadState } from '../src/grote-berichten/aankondiging.dto.js';
import { GroteBerichtenMetrics } from '../src/grote-berichten/grote-berichten.metrics.js';
import { GroteBerichtenService, type GroteBerichtenLimits, type PutOutcome } from '../src/grote-berichten/grote-berichten.service.js';
import { UploadExpirySweeper } from '../src/grote-berichten/upload-expiry.sweeper.js';
import { InFlightLimiter } from '../src/submission/in-flight-limiter.js';
import { SubmissionAdmission } from '../src/submission/submission-admission.js';
import { SENDER, SubmissionFixture, base64 } from './submission-fixture.js';

// Grote Berichten (sender side) against a scratch database with the real migrations: announce, PUT ranges in any order,
// the state with its gaps, completion into an ordinary message (payload, message row, events in the outbox), and the
// refusals and the sweeper. HTTP over two-way TLS is in grote-berichten.https.medium.test.ts.

const OTHER: ClientIdentity = { ...SENDER, oin: parseOin('00000099000000000002'), fingerprintSha256: 'd4'.repeat(32) };
const LIMITS: GroteBerichtenLimits = { maxBytes: 64 * 1024 * 1024, expiryMs: 60 * 60 * 1000 };

let fixture: SubmissionFixture;
let uploads: StagedUploads;
let metrics: GroteBerichtenMetrics;

before(async () => {
  fixture = await SubmissionFixture.create('ingress_grote_berichten');
  uploads = new StagedUploads(fixture.db.pool);
  metrics = new GroteBerichtenMetrics(new PoortMetrics('ingress'));
});
after(async () => {
  await fixture?.drop();
});

const service = (limits: Partial<GroteBerichtenLimits> = {}) =>
  new GroteBerichtenService(fixture.service(), uploads, fixture.payloads, new SubmissionAdmission(new InFlightLimiter(16)), { ...LIMITS, ...limits }, metrics);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function announcement(file: Buffer, aanleverkenmerk?: string, overrides: Record<string, unknown> = {}) {
  return {
    berichtsoort: 'e-factuur',
    ...(aanleverkenmerk ? { aanleverkenmerk } : {}),
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    bestand: { bestandsnaam: 'groot_bestand-1.xml', mimeType: 'application/xml', grootte: file.byteLength, sha256: sha256(file) },
    ...overrides,
  };
}

/** A body that arrives in pieces of 64 KiB, as a socket gives it. */
async function* pieces(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

const put = (gb: GroteBerichtenService, uploadId: string, file: Buffer, start: number, end: number, as = SENDER): Promise<PutOutcome> =>
  gb.put(as, uploadId, { contentRange: `bytes ${start}-${end}/${file.byteLength}`, contentLength: end - start + 1, body: pieces(file.subarray(start, end + 1)) });

const counter = async (event: string) => (await metrics.uploads.get()).values.find((value) => value.labels.event === event)?.value ?? 0;
const partsOf = async (uploadId: string) => (await fixture.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM upload_parts WHERE upload_id = $1', [uploadId])).rows[0]!.n;

async function refusedWith(attempt: Promise<unknown>, code: string, kind: Refusal['kind']): Promise<Refusal> {
  const error = await attempt.then(
    () => assert.fail(`expected a refusal ${code}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof Refusal, `not a refusal: ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.kind, kind);
  return error;
}

describe('grote berichten: announce, upload in ranges, complete into a message', () => {
  // 2.5 rows of the payload store: the file spans several staged parts and payload chunks.
  const file = randomBytes(2 * CHUNK_BYTES + CHUNK_BYTES / 2);
  const half = Math.floor(file.byteLength / 2);
  let announced: UploadState;

  test('an announcement opens an upload: its location, expiry, and nothing received', async () => {
    const before = await counter('announced');
    const { state, created } = await service().announce(SENDER, announcement(file, 'gb-1'));
    announced = state;
    assert.equal(created, true);
    assert.equal(state.status, 'open');
    assert.equal(state.location, `/api/v1/grote-berichten/${state.uploadId}`);
    assert.equal(state.grootte, file.byteLength);
    assert.deepEqual(state.ontvangen, []);
    assert.deepEqual(state.ontbrekend, [{ start: 0, end: file.byteLength - 1 }]);
    assert.ok(Math.abs(Date.parse(state.verlooptOp) - (Date.now() + LIMITS.expiryMs)) < 10_000);
    assert.equal(await counter('announced'), before + 1);
  });

  test('the second half first: stored in rows of at most 1 MiB, the state shows the first half missing', async () => {
    const outcome = await put(service(), announced.uploadId, file, half, file.byteLength - 1);
    assert.equal(outcome.completed, false);
    assert.deepEqual(!outcome.completed && outcome.state.ontvangen, [{ start: half, end: file.byteLength - 1 }]);
    const state = await service().state(SENDER, announced.uploadId);
    assert.deepEqual(state.ontbrekend, [{ start: 0, end: half - 1 }]);
    const { rows } = await fixture.db.pool.query<{ max: number }>('SELECT max(octet_length(data))::int AS max FROM upload_parts WHERE upload_id = $1', [announced.uploadId]);
    assert.ok(rows[0]!.max <= CHUNK_BYTES);
  });

  test('another sender does not find the upload', async () => {
    await refusedWith(service().state(OTHER, announced.uploadId), 'UPLOAD_NOT_FOUND', 'not-found');
    await refusedWith(put(service(), announced.uploadId, file, 0, 9, OTHER), 'UPLOAD_NOT_FOUND', 'not-found');
    await refusedWith(service().state(SENDER, 'geen-uuid'), 'UPLOAD_NOT_FOUND', 'not-found');
  });

  test('an interrupted PUT keeps what came; resuming sends only what is missing', async () => {
    // The first 1.2 MiB of the first half arrive, then the body ends.
    const cut = CHUNK_BYTES + 200_000;
    await refusedWith(
      service().put(SENDER, announced.uploadId, { contentRange: `bytes 0-${half - 1}/${file.byteLength}`, contentLength: undefined, body: pieces(file.subarray(0, cut)) }),
      'UPLOAD_BODY_INCOMPLETE',
      'invalid',
    );
    const state = await service().state(SENDER, announced.uploadId);
    assert.deepEqual(state.ontvangen, [
      { start: 0, end: cut - 1 },
      { start: half, end: file.byteLength - 1 },
    ]);
    assert.deepEqual(state.ontbrekend, [{ start: cut, end: half - 1 }]);
  });

  let receipt: AanleverResponse;
  test('the PUT that fills the last gap completes it: one message, its content the file, status 100 in the outbox', async () => {
    const before = await fixture.stored();
    const completedBefore = await counter('completed');
    const { ontbrekend } = await service().state(SENDER, announced.uploadId);
    const outcome = await put(service(), announced.uploadId, file, ontbrekend[0]!.start, ontbrekend[0]!.end);
    assert.equal(outcome.completed, true);
    receipt = outcome.completed ? outcome.receipt : assert.fail();
    assert.equal(receipt.statuscode, STATUS.ontvangen);
    assert.equal(receipt.aanleverkenmerk, 'gb-1');
    assert.equal(receipt.berichtsoort, 'e-factuur');

    const after = await fixture.stored();
    assert.equal(after.messages, before.messages + 1);
    assert.equal(after.payloads, before.payloads + 1);
    assert.equal(after.payload_chunks, before.payload_chunks + 3);
    const envelope = await fixture.messages.find(receipt.kenmerk);
    assert.equal(envelope?.content.sha256, sha256(file));
    assert.equal(envelope?.content.size, file.byteLength);
    assert.equal(envelope?.content.bestandsnaam, 'groot_bestand-1.xml');
    const stored: Buffer[] = [];
    for await (const chunk of fixture.payloads.stream(envelope!.content)) stored.push(chunk as Buffer);
    assert.ok(Buffer.concat(stored).equals(file));

    const { rows } = await fixture.db.pool.query<{ topic: string; value: string }>(
      "SELECT topic, value FROM outbox WHERE source = 'ingress' AND message_key = $1 ORDER BY id",
      [receipt.kenmerk],
    );
    const events = rows.map((row) => ({ topic: row.topic, value: JSON.parse(row.value) as { statuscode?: string } }));
    assert.deepEqual(events.map((event) => event.value.statuscode ?? event.topic), [STATUS.ontvangen, TOPICS.received, STATUS.aangebodenVoorVerwerking]);

    assert.equal(await partsOf(announced.uploadId), 0);
    const state = await service().state(SENDER, announced.uploadId);
    assert.equal(state.status, 'voltooid');
    assert.equal(state.kenmerk, receipt.kenmerk);
    assert.deepEqual(state.ontbrekend, []);
    assert.equal(await counter('completed'), completedBefore + 1);
  });

  test('announcing the same again answers the same upload with its kenmerk; a PUT to it the same receipt', async () => {
    const before = await fixture.stored();
    const { state, created } = await service().announce(SENDER, announcement(file, 'gb-1'));
    assert.equal(created, false);
    assert.equal(state.uploadId, announced.uploadId);
    assert.equal(state.kenmerk, receipt.kenmerk);
    const again = await put(service(), announced.uploadId, file, 0, 9);
    assert.deepEqual(again.completed && again.receipt, receipt);
    assert.deepEqual(await fixture.stored(), before);
  });

  test('another file under the same aanleverkenmerk is refused', async () => {
    const other = randomBytes(1000);
    const refusal = await refusedWith(service().announce(SENDER, announcement(other, 'gb-1')), 'ALS100', 'conflict');
    assert.match(refusal.message, /gb-1 is al gebruikt voor een ander groot bericht/);
  });

  test('an open upload announced again is the same upload, with what it received', async () => {
    const small = randomBytes(5000);
    const first = await service().announce(SENDER, announcement(small, 'gb-open'));
    await put(service(), first.state.uploadId, small, 0, 999);
    const again = await service().announce(SENDER, announcement(small, 'gb-open'));
    assert.equal(again.created, false);
    assert.equal(again.state.uploadId, first.state.uploadId);
    assert.deepEqual(again.state.ontvangen, [{ start: 0, end: 999 }]);
  });
});

describe('grote berichten: refusals', () => {
  const file = randomBytes(10_000);

  test('announcements that break the rules are refused with a code', async () => {
    const cases: [string, Record<string, unknown>, string, Refusal['kind'], RegExp][] = [
      ['unknown berichtsoort', { berichtsoort: 'onbekend' }, 'ALS100', 'invalid', /onbekend/],
      ['mimeType of another type', { bestand: { ...announcement(file).bestand, mimeType: 'application/pdf' } }, 'ALS100', 'unsupported-media-type', /application\/pdf/],
      ['bestandsnaam with a space', { bestand: { ...announcement(file).bestand, bestandsnaam: 'mijn bestand.xml' } }, 'ALS100', 'invalid', /bestandsnaam/],
      ['sha256 not hex', { bestand: { ...announcement(file).bestand, sha256: 'xyz' } }, 'ALS100', 'invalid', /sha256/],
      ['grootte not an integer', { bestand: { ...announcement(file).bestand, grootte: 10.5 } }, 'ALS100', 'invalid', /grootte/],
      ['inline content beside bestand', { berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'a.xml', inhoud: base64(file) } }, 'ALS100', 'invalid', /berichtInhoud/],
    ];
    for (const [what, overrides, code, kind, message] of cases) {
      const refusal = await refusedWith(service().announce(SENDER, announcement(file, undefined, overrides)), code, kind);
      assert.match(refusal.message, message, what);
    }
  });

  test('a file larger than the limits is refused at the announcement', async () => {
    const tooBig = { bestand: { ...announcement(file).bestand, grootte: 2048 } };
    const refusal = await refusedWith(service({ maxBytes: 1024 }).announce(SENDER, announcement(file, undefined, tooBig)), 'ALS100', 'too-large');
    assert.match(refusal.message, /groter dan 1024 bytes/);
  });

  test('a missing, malformed or unsatisfiable Content-Range, or a body of another length, is refused and stores nothing', async () => {
    const { state } = await service().announce(SENDER, announcement(file));
    const attempt = (contentRange: string | undefined, contentLength: number | undefined = 10) =>
      service().put(SENDER, state.uploadId, { contentRange, contentLength, body: pieces(file.subarray(0, 10)) });
    await refusedWith(attempt(undefined), 'UPLOAD_RANGE_INVALID', 'invalid');
    await refusedWith(attempt('bytes=0-9'), 'UPLOAD_RANGE_INVALID', 'invalid');
    await refusedWith(attempt('bytes 0-9/*'), 'UPLOAD_RANGE_INVALID', 'invalid');
    await refusedWith(attempt('bytes 0-9/20000'), 'UPLOAD_RANGE_NOT_SATISFIABLE', 'range-not-satisfiable');
    await refusedWith(attempt(`bytes 9995-10004/${file.byteLength}`), 'UPLOAD_RANGE_NOT_SATISFIABLE', 'range-not-satisfiable');
    await refusedWith(attempt(`bytes 9-0/${file.byteLength}`), 'UPLOAD_RANGE_NOT_SATISFIABLE', 'range-not-satisfiable');
    await refusedWith(attempt(`bytes 0-19/${file.byteLength}`), 'UPLOAD_BODY_LENGTH_MISMATCH', 'invalid');
    // Without a Content-Length (chunked), a body longer than its range: what fits is kept, the rest refused.
    await refusedWith(service().put(SENDER, state.uploadId, { contentRange: `bytes 0-4/${file.byteLength}`, contentLength: undefined, body: pieces(file.subarray(0, 10)) }), 'UPLOAD_BODY_TOO_LONG', 'invalid');
    assert.deepEqual((await service().state(SENDER, state.uploadId)).ontvangen, [{ start: 0, end: 4 }]);
  });

  test('overlapping PUTs: the newest bytes win, and the file completes with the right SHA-256', async () => {
    const { state } = await service().announce(SENDER, announcement(file));
    const garbage = Buffer.alloc(file.byteLength, 0x41);
    // Bytes 1000-1999 stay missing until the last PUT, which also overwrites the last of the wrong bytes.
    for (const [source, start, end] of [[garbage, 2000, 7999], [file, 0, 999], [file, 5000, 5999], [garbage, 9000, 9999], [file, 6000, 9999], [file, 3000, 4999]] as const) {
      const outcome = await put(service(), state.uploadId, source, start, end);
      assert.equal(outcome.completed, false);
    }
    assert.deepEqual((await service().state(SENDER, state.uploadId)).ontbrekend, [{ start: 1000, end: 1999 }]);
    const outcome = await put(service(), state.uploadId, file, 1000, 3500);
    assert.equal(outcome.completed, true);
    const envelope = await fixture.messages.find(outcome.completed ? outcome.receipt.kenmerk : '');
    assert.equal(envelope?.content.sha256, sha256(file));
  });

  test('a checksum that does not match: the upload fails with CHECKSUM_ERROR, its parts go, no message', async () => {
    const announcedWrong = announcement(file, 'gb-wrong', { bestand: { ...announcement(file).bestand, sha256: sha256(Buffer.from('iets anders')) } });
    const { state } = await service().announce(SENDER, announcedWrong);
    const before = await fixture.stored();
    const failedBefore = await counter('failed');
    await put(service(), state.uploadId, file, 0, 4999);
    const refusal = await refusedWith(put(service(), state.uploadId, file, 5000, file.byteLength - 1), 'CHECKSUM_ERROR', 'unprocessable');
    assert.match(refusal.message, new RegExp(sha256(file)));
    const after = await service().state(SENDER, state.uploadId);
    assert.equal(after.status, 'mislukt');
    assert.equal(after.foutcode, 'CHECKSUM_ERROR');
    assert.equal(await partsOf(state.uploadId), 0);
    assert.deepEqual(await fixture.stored(), before);
    assert.equal(await counter('failed'), failedBefore + 1);
    await refusedWith(put(service(), state.uploadId, file, 0, 9), 'UPLOAD_FAILED', 'conflict');
    // The same aanleverkenmerk may be announced again (with the right checksum): a new upload.
    const again = await service().announce(SENDER, announcement(file, 'gb-wrong'));
    assert.equal(again.created, true);
    assert.notEqual(again.state.uploadId, state.uploadId);
  });

  test('two PUTs that complete the file at once make one message, and both answer its receipt', async () => {
    for (const aanleverkenmerk of ['gb-race', undefined]) {
      const { state } = await service().announce(SENDER, announcement(file, aanleverkenmerk));
      await put(service(), state.uploadId, file, 0, file.byteLength - 2);
      const before = await fixture.stored();
      const [a, b] = await Promise.all([put(service(), state.uploadId, file, file.byteLength - 1, file.byteLength - 1), put(service(), state.uploadId, file, 9000, file.byteLength - 1)]);
      assert.ok(a.completed && b.completed, 'both answer with a receipt');
      assert.equal(a.receipt.kenmerk, b.receipt.kenmerk);
      assert.equal((await fixture.stored()).messages, before.messages + 1);
    }
  });

  test('an upload past its expiry takes no bytes (410); the sweeper marks it verlopen and deletes its parts', async () => {
    const shortLived = service({ expiryMs: 300 });
    const { state } = await shortLived.announce(SENDER, announcement(file, 'gb-expire'));
    await put(shortLived, state.uploadId, file, 0, 4999);
    assert.ok((await partsOf(state.uploadId)) > 0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await refusedWith(put(shortLived, state.uploadId, file, 5000, 9999), 'UPLOAD_EXPIRED', 'gone');
    const expiredBefore = await counter('expired');
    const logged: unknown[] = [];
    const logger = { info: (fields: unknown) => logged.push(fields), warn: (fields: unknown) => logged.push(fields) } as unknown as ConstructorParameters<typeof UploadExpirySweeper>[3];
    assert.ok((await new UploadExpirySweeper(uploads, 1000, metrics, logger).sweep()) >= 1);
    assert.equal(await partsOf(state.uploadId), 0);
    const after = await shortLived.state(SENDER, state.uploadId);
    assert.equal(after.status, 'verlopen');
    assert.deepEqual(after.ontvangen, []);
    assert.ok((await counter('expired')) >= expiredBefore + 1);
    await refusedWith(put(shortLived, state.uploadId, file, 5000, 9999), 'UPLOAD_EXPIRED', 'gone');
    // The aanleverkenmerk is free again: a new announcement is a new upload.
    const again = await service().announce(SENDER, announcement(file, 'gb-expire'));
    assert.equal(again.created, true);
    assert.notEqual(again.state.uploadId, state.uploadId);
  });
});

describe('in-band content above 20 MiB', () => {
  test('is refused with a detail that points to Grote Berichten when the type takes larger files', async () => {
    const content = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
    const { bestand: _, ...envelope } = announcement(content);
    const request = (berichtsoort: string) => ({ ...envelope, berichtsoort, berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'groot.xml', inhoud: base64(content) } });
    // Omzetbelasting takes up to 2 GiB (by Grote Berichten); e-factuur takes 20 MiB, however it comes.
    const refusal = await refusedWith(fixture.service().submit(SENDER, request('Omzetbelasting')), 'ALS100', 'too-large');
    assert.match(refusal.message, /Grote Berichten \(POST \/api\/v1\/grote-berichten\)/);
    const plain = await refusedWith(fixture.service().submit(SENDER, request('e-factuur')), 'ALS100', 'too-large');
    assert.doesNotMatch(plain.message, /Grote Berichten/);
  });
});
