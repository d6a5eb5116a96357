import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { peakRssBytes } from '@poort/testing';

import { E2eChain, GroteBerichtenClient, INHOUD_PLACEHOLDER, ROOT, writeLargeXbrl, type ByteRange, type LargeFile, type UploadState } from '../src/index.js';

// A large filing through the whole chain by Grote Berichten: announced, uploaded in ranges over two-way TLS, cut off at
// about half and resumed with what Poort says is missing, verified by SHA-256, validated as a stream, and delivered to
// a recipient as a notice with the file's location and checksum; the recipient fetches the file by ranges (one of
// them broken off and resumed) and checks its SHA-256; then a 50 MiB message in a REST request itself streams
// through. Every service's peak RSS stays below 256 MB, asserted (and printed, with the times).
//
// CI runs it with 200 MB; POORT_GROTE_BERICHTEN_BYTES sets another size (scripts/grote-berichten-run.sh 1g: README).
// What keeps the services there: docs/large-payloads.md, "Memory".

const SIZE = Number(process.env.POORT_GROTE_BERICHTEN_BYTES ?? 200 * 1024 * 1024);
const PIECE = 16 * 1024 * 1024;
/** In the request itself: above Digipoort's 20 MiB, as an operator may agree with its senders (INGRESS_IN_BAND_MAX_BYTES). */
const IN_BAND_SIZE = 50 * 1024 * 1024;
const RSS_LIMIT = 256 * 1024 * 1024;
const BERICHTSOORT = 'grote-aangifte';
/** recipient-a of the test PKI (OIN 00000099000000000101), which fetches the file with its own certificate. */
const RECIPIENT = 'belastingdienst';
const MiB = 1024 * 1024;

const pieces = (ranges: readonly ByteRange[]): ByteRange[] =>
  ranges.flatMap(({ start, end }) => {
    const out: ByteRange[] = [];
    for (let at = start; at <= end; at += PIECE) out.push({ start: at, end: Math.min(end, at + PIECE - 1) });
    return out;
  });

describe(`Grote Berichten, end to end: ${Math.round(SIZE / MiB)} MiB uploaded, interrupted, resumed, delivered and fetched by ranges`, () => {
  let e2e: E2eChain;
  let sender: GroteBerichtenClient;
  let recipient: GroteBerichtenClient;
  let file: LargeFile;
  let inBandFile: LargeFile;
  const dir = join(ROOT, '.local/grote-berichten', randomBytes(3).toString('hex'));
  const timings: Record<string, number> = {};

  before(async () => {
    mkdirSync(dir, { recursive: true });
    file = await writeLargeXbrl(join(dir, 'aangifte.xbrl'), SIZE);
    inBandFile = await writeLargeXbrl(join(dir, 'aangifte-inband.xbrl'), IN_BAND_SIZE);
    e2e = await E2eChain.start('grote-berichten', {
      env: { INGRESS_IN_BAND_MAX_BYTES: String(64 * MiB), INGRESS_MAX_BODY_BYTES: String(96 * MiB) },
      extraConfig: {
        messageTypes: [
          {
            berichtsoort: BERICHTSOORT,
            description: 'a large XBRL filing, by Grote Berichten',
            content: { mimeTypes: ['application/xml'], maxBytes: 2 * 1024 * MiB },
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'schemas/xbrl-instance/xbrl-instance-2003-12-31.xsd', rootElement: '{http://www.xbrl.org/2003/instance}xbrl' },
            routing: { routes: [{ recipient: RECIPIENT }] },
            delivery: { retryWindow: '1h' },
          },
        ],
      },
    });
    sender = new GroteBerichtenClient(e2e.pki, 'sender-a');
    recipient = new GroteBerichtenClient(e2e.pki, 'recipient-a');
  });
  after(async () => {
    await sender?.close();
    await recipient?.close();
    await e2e?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let uploadUrl: string;
  let kenmerk: string;

  test('the sender announces the file and uploads half of it before its connection breaks', async () => {
    const announced = await sender.announce(e2e.chain.url('ingress'), {
      berichtsoort: BERICHTSOORT,
      aanleverkenmerk: `gb-${randomBytes(4).toString('hex')}`,
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      bestand: { bestandsnaam: 'aangifte.xbrl', mimeType: 'application/xml', grootte: file.size, sha256: file.sha256 },
    });
    assert.equal(announced.status, 201, JSON.stringify(announced.body));
    uploadUrl = new URL(String(announced.body.location), e2e.chain.url('ingress')).toString();

    const started = Date.now();
    const all = pieces([{ start: 0, end: file.size - 1 }]);
    const half = Math.floor(all.length / 2);
    for (const piece of all.slice(0, half)) {
      const answer = await sender.put(uploadUrl, file, piece);
      assert.ok(answer.status === 200 || answer.status === 204, `PUT ${piece.start}-${piece.end}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    const cut = all[half]!;
    await sender.putInterrupted(uploadUrl, file, cut, Math.floor((cut.end - cut.start + 1) / 2));
    timings.firstHalfMs = Date.now() - started;

    const state = (await sender.state(uploadUrl)).body;
    assert.equal(state.status, 'open');
    const received = state.ontvangen.reduce((sum, range) => sum + range.end - range.start + 1, 0);
    // Poort keeps what came of the broken piece (its rows commit as they arrive), never more than was sent.
    assert.ok(received >= half * PIECE && received <= half * PIECE + (cut.end - cut.start + 1) / 2, `kept ${received} bytes`);
    assert.ok(received > file.size * 0.4 && received < file.size * 0.6, `about half arrived: ${received} of ${file.size}`);
    assert.ok(state.ontbrekend.length > 0);
  });

  test('it resumes with what Poort says is missing, last piece first, and gets its kenmerk when the checksum matches', async () => {
    const state = (await sender.state(uploadUrl)).body;
    const missing = pieces(state.ontbrekend);
    assert.ok(missing.length > 1);
    const started = Date.now();
    const order = [missing.at(-1)!, ...missing.slice(0, -1)];
    let last: Awaited<ReturnType<GroteBerichtenClient['put']>> | undefined;
    for (const piece of order) {
      last = await sender.put(uploadUrl, file, piece);
      assert.ok([200, 201, 204].includes(last.status), `PUT ${piece.start}-${piece.end}: ${last.status} ${JSON.stringify(last.body)}`);
    }
    timings.secondHalfMs = Date.now() - started;
    assert.equal(last!.status, 201, 'the PUT that completes the file answers with the receipt');
    kenmerk = String(last!.body.kenmerk);
    assert.match(kenmerk, /\S/);
    const done: UploadState = (await sender.state(uploadUrl)).body;
    assert.equal(done.status, 'voltooid');
    assert.equal(done.kenmerk, kenmerk);
    assert.deepEqual(done.ontbrekend, []);
  });

  test('the message reaches its recipient as a notice with the location and checksum of the file', async () => {
    const started = Date.now();
    const statuses = await e2e.waitForStatus(kenmerk, '400', 240_000);
    timings.chainMs = Date.now() - started;
    assert.deepEqual(
      statuses.filter((status) => status.statuscode.startsWith('3') && status.statuscode !== '301').map((status) => status.statuscode),
      [],
      'no refusal on the way',
    );
    const [delivery] = [...e2e.recipient(RECIPIENT).deliveries.values()].filter((each) => each.kenmerk === kenmerk);
    assert.ok(delivery, 'the recipient got the notice');
    const notice = delivery.body.toString('utf8');
    assert.match(notice, /digikoppeling-external-data-references/);
    assert.match(notice, new RegExp(`<(\\w+:)?checksum type="SHA256">${file.sha256}</(\\w+:)?checksum>`));
    assert.match(notice, new RegExp(`<(\\w+:)?size>${file.size}</(\\w+:)?size>`));
  });

  test('the recipient fetches the file by ranges, one broken off and resumed, and its SHA-256 matches', async () => {
    const [delivery] = [...e2e.recipient(RECIPIENT).deliveries.values()].filter((each) => each.kenmerk === kenmerk);
    const location = /<(?:\w+:)?senderUrl>([^<]+)<\/(?:\w+:)?senderUrl>/.exec(delivery!.body.toString('utf8'))?.[1];
    assert.ok(location, 'the notice names where the file is');
    const url = location.replaceAll('&amp;', '&');
    const hash = createHash('sha256');
    const started = Date.now();
    const third = Math.floor(file.size / 3);

    const kept = await recipient.fetchInterrupted(url, Math.floor(third / 2), (chunk) => hash.update(chunk));
    let at = kept;
    for (const end of [third - 1, 2 * third - 1]) {
      const answer = await recipient.fetchRange(url, `bytes=${at}-${end}`, (chunk) => hash.update(chunk), { 'if-range': `"${file.sha256}"` });
      assert.equal(answer.status, 206);
      assert.equal(answer.headers['content-range'], `bytes ${at}-${end}/${file.size}`);
      at = end + 1;
    }
    const rest = await recipient.fetchRange(url, `bytes=${at}-`, (chunk) => hash.update(chunk));
    assert.equal(rest.status, 206);
    timings.fetchMs = Date.now() - started;
    assert.equal(hash.digest('hex'), file.sha256);

    const stranger = await sender.fetchRange(url, 'bytes=0-99', () => undefined);
    assert.equal(stranger.status, 404, 'only a recipient of the message may fetch it');
  });

  test(`a ${Math.round(IN_BAND_SIZE / MiB)} MiB message in the request itself streams through to its recipient`, async () => {
    const started = Date.now();
    const answer = await sender.aanleverenStreamed(e2e.chain.url('ingress'), {
      berichtsoort: BERICHTSOORT,
      aanleverkenmerk: `inband-${randomBytes(4).toString('hex')}`,
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'aangifte-inband.xbrl', inhoud: INHOUD_PLACEHOLDER },
    }, inBandFile);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const inBandKenmerk = String(answer.body.kenmerk);
    await e2e.waitForStatus(inBandKenmerk, '400', 240_000);
    timings.inBandMs = Date.now() - started;
    const [delivery] = [...e2e.recipient(RECIPIENT).deliveries.values()].filter((each) => each.kenmerk === inBandKenmerk);
    const notice = delivery!.body.toString('utf8');
    assert.match(notice, new RegExp(`<(\\w+:)?checksum type="SHA256">${inBandFile.sha256}</(\\w+:)?checksum>`), 'above the inline limit it is delivered as a notice too');
  });

  test('every service stayed below 256 MB of resident memory', () => {
    const peaks = Object.entries(e2e.chain.pids()).map(([process, pid]) => [process, peakRssBytes(pid)] as const);
    const line = peaks.map(([process, peak]) => `${process} ${peak === undefined ? '?' : Math.round(peak / MiB)} MiB`).join(', ');
    const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);
    process.stdout.write(
      `# ${Math.round(SIZE / MiB)} MiB: upload ${seconds(timings.firstHalfMs)} + ${seconds(timings.secondHalfMs)} s, chain ${seconds(timings.chainMs)} s, fetch ${seconds(timings.fetchMs)} s, in-band ${Math.round(IN_BAND_SIZE / MiB)} MiB ${seconds(timings.inBandMs)} s; peak RSS: ${line}\n`,
    );
    assert.equal(peaks.length, 8);
    for (const [process, peak] of peaks) {
      assert.ok(peak !== undefined, `${process} is running`);
      assert.ok(peak < RSS_LIMIT, `${process} peaked at ${Math.round(peak / MiB)} MiB`);
    }
  });
});
