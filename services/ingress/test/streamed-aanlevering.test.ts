import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { HttpException } from '@nestjs/common';
import { Refusal } from '@poort/contracts';

import { StreamedAanleverRequest } from '../src/submission/aanlever-request.dto.js';
import {
  DEFAULT_STREAMED_LIMITS,
  readStreamedAanlevering,
  type FileSink,
  type StreamedAanleveringLimits,
  type StreamedSlot,
} from '../src/submission/streamed-aanlevering.js';

const LIMITS: StreamedAanleveringLimits = { ...DEFAULT_STREAMED_LIMITS, maxFileBytes: 64 * 1024 * 1024 };

/** A sink that keeps what it was given (small files only), and what happened to it. */
class RecordingSink implements FileSink {
  readonly parts: Buffer[] = [];
  state: 'open' | 'ended' | 'aborted' = 'open';
  constructor(readonly slot: StreamedSlot) {}
  async write(bytes: Buffer): Promise<void> {
    assert.equal(this.state, 'open', 'written after end or abort');
    this.parts.push(Buffer.from(bytes));
  }
  async end(): Promise<void> {
    this.state = 'ended';
  }
  async abort(): Promise<void> {
    this.state = 'aborted';
  }
  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function recorder() {
  const sinks: RecordingSink[] = [];
  return {
    sinks,
    open: (slot: StreamedSlot) => {
      const sink = new RecordingSink(slot);
      sinks.push(sink);
      return sink;
    },
  };
}

/** A seeded PRNG (mulberry32): the same chunking on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The body cut at random places (1 byte to `max` bytes a chunk), as a network might deliver it. */
async function* rechunk(parts: AsyncIterable<Buffer> | Iterable<Buffer>, seed: number, max: number): AsyncGenerator<Buffer> {
  const next = random(seed);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let want = 1 + Math.floor(next() * max);
  for await (const part of parts) {
    held.push(part);
    heldBytes += part.byteLength;
    if (heldBytes < want) continue;
    let bytes = Buffer.concat(held, heldBytes);
    while (bytes.byteLength >= want) {
      yield bytes.subarray(0, want);
      bytes = bytes.subarray(want);
      want = 1 + Math.floor(next() * max);
    }
    held = [bytes];
    heldBytes = bytes.byteLength;
  }
  if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
}

const bestand = (inhoud: string, bestandsnaam = 'aangifte.xml') => ({ mimeType: 'text/xml', bestandsnaam, inhoud });
const REST = {
  berichtsoort: 'Omzetbelasting',
  aanleverkenmerk: 'ak-1',
  identiteitBelanghebbende: { nummer: '001234567B01', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
};

async function read(body: string | Buffer, seed = 1, max = 7, open = recorder().open, limits = LIMITS) {
  return readStreamedAanlevering(rechunk([Buffer.from(body)], seed, max), open, limits);
}

async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpException) {
      const body = error.getResponse() as { code: string; message: string; details?: unknown };
      return { status: error.getStatus(), ...body };
    }
    if (error instanceof Refusal) return { status: error.kind === 'too-large' ? 413 : 400, code: error.code, message: error.message, details: error.details };
    throw error;
  }
  assert.fail('not refused');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('readStreamedAanlevering: an aanleveren body read as it streams in', () => {
  test('content and attachments go to their sinks decoded; the rest is the document, which the streamed schema accepts', async () => {
    const content = Buffer.from('<aangifte>€ en meer</aangifte>');
    const first = Buffer.from([0, 1, 2, 254, 255]);
    const second = Buffer.from('b');
    const body = JSON.stringify({
      ...REST,
      berichtInhoud: bestand(content.toString('base64')),
      berichtBijlagen: [bestand(first.toString('base64'), 'een.pdf'), bestand(second.toString('base64'), 'twee.pdf')],
    });
    for (const [seed, max] of [[1, 1], [2, 3], [3, 64], [4, 100_000]] as const) {
      const { sinks, open } = recorder();
      const result = await read(body, seed, max, open);
      assert.deepEqual(
        sinks.map((sink) => [sink.slot, sink.state, sink.bytes]),
        [
          [{ kind: 'content' }, 'ended', content],
          [{ kind: 'attachment', index: 0 }, 'ended', first],
          [{ kind: 'attachment', index: 1 }, 'ended', second],
        ],
      );
      assert.deepEqual(result.files, [
        { slot: { kind: 'content' }, bytes: content.byteLength, sha256: sha256(content) },
        { slot: { kind: 'attachment', index: 0 }, bytes: 5, sha256: sha256(first) },
        { slot: { kind: 'attachment', index: 1 }, bytes: 1, sha256: sha256(second) },
      ]);
      assert.deepEqual(result.document, {
        ...REST,
        berichtInhoud: bestand(''),
        berichtBijlagen: [bestand('', 'een.pdf'), bestand('', 'twee.pdf')],
      });
      assert.equal(StreamedAanleverRequest.safeParse(result.document).success, true);
      // The streamed schema takes the marker only: an inhoud that was not streamed is not taken for one.
      assert.equal(StreamedAanleverRequest.safeParse({ ...(result.document as object), berichtInhoud: bestand('QUJD') }).success, false);
    }
  });

  test('field order does not matter: berichtInhoud first, last, or between the others; escapes and whitespace in the JSON are fine', async () => {
    const content = Buffer.from('hallo wereld, 0123456789');
    const base64 = content.toString('base64');
    const bodies = [
      JSON.stringify({ berichtInhoud: bestand(base64), ...REST }),
      JSON.stringify({ ...REST, berichtInhoud: bestand(base64) }),
      JSON.stringify({ aanleverkenmerk: 'ak-2', berichtInhoud: { inhoud: base64, bestandsnaam: 'a.xml', mimeType: 'text/xml' }, berichtsoort: REST.berichtsoort }, null, 2),
      // JSON may escape any character, also in base64: "\/" is "/" and "\u0041" is "A".
      `{"berichtInhoud": {"inhoud": "${base64.replace('a', '\\u0061')}", "mimeType": "text\\/xml", "bestandsnaam": "a.xml"}}`,
    ];
    for (const body of bodies) {
      const { sinks, open } = recorder();
      const result = await read(body, 5, 5, open);
      assert.deepEqual(sinks.map((sink) => sink.bytes), [content]);
      assert.equal((result.document as { berichtInhoud: { inhoud: string } }).berichtInhoud.inhoud, '');
    }
  });

  test('only berichtInhoud.inhoud and berichtBijlagen[i].inhoud are streamed: an inhoud elsewhere is an ordinary string', async () => {
    const body = JSON.stringify({ ...REST, inhoud: 'QQ==', extra: { inhoud: 'QQ==' }, berichtInhoud: { ...bestand('QQ=='), nested: { inhoud: 'x' } } });
    const { sinks, open } = recorder();
    const result = await read(body, 1, 9, open);
    assert.equal(sinks.length, 1);
    assert.deepEqual(result.document, { ...REST, inhoud: 'QQ==', extra: { inhoud: 'QQ==' }, berichtInhoud: { ...bestand(''), nested: { inhoud: 'x' } } });
    // The schema refuses what the koppelvlak does not have, as before.
    assert.equal(StreamedAanleverRequest.safeParse(result.document).success, false);
  });

  test('malformed JSON is refused with a code, and the sinks opened before it are aborted', async () => {
    for (const body of ['{"a":1,}', '{"a" 1}', '[1 2]', '{"a":tru}', '{}{}', "{'a':1}", `{"berichtInhoud":{"inhoud":"QUJD"}} x`, '{"a":"\\x"}', '{"a":"tab\there"}']) {
      const { sinks, open } = recorder();
      const refusal = await refusalOf(read(body, 3, 4, open));
      assert.equal(refusal.status, 400, body);
      assert.equal(refusal.code, 'HTTP_JSON_MALFORMED', body);
      assert.ok(sinks.every((sink) => sink.state === 'aborted'), body);
    }
  });

  test('a body that is not UTF-8 is refused as the buffered path refuses it', async () => {
    const body = Buffer.concat([Buffer.from('{"berichtsoort":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assert.deepEqual(await refusalOf(read(body)), { status: 400, code: 'HTTP_BODY_NOT_UTF8', message: 'the body is not valid UTF-8' });
    // A multi-byte character split over chunks is fine.
    const result = await read(JSON.stringify({ berichtsoort: 'é€😀' }), 1, 1);
    assert.deepEqual(result.document, { berichtsoort: 'é€😀' });
  });

  test('a key twice in one object is refused, also berichtInhoud twice (which would be a second file)', async () => {
    const refusal = await refusalOf(read('{"a":1,"b":{"c":1,"c":2}}'));
    assert.equal(refusal.code, 'HTTP_JSON_DUPLICATE_KEY');
    assert.match(refusal.message, /key c occurs twice in b/);
    const { sinks, open } = recorder();
    const twice = await refusalOf(read(`{"berichtInhoud":${JSON.stringify(bestand('QUJD'))},"berichtInhoud":${JSON.stringify(bestand('QUJD'))}}`, 1, 7, open));
    assert.equal(twice.code, 'HTTP_JSON_DUPLICATE_KEY');
    assert.deepEqual(sinks.map((sink) => sink.state), ['aborted']);
  });

  test('__proto__ and constructor.prototype keys are refused, as the buffered parser refuses them', async () => {
    assert.equal((await refusalOf(read('{"__proto__":{"x":1}}'))).code, 'HTTP_JSON_FORBIDDEN_KEY');
    assert.equal((await refusalOf(read('{"a":{"constructor":{"prototype":{}}}}'))).code, 'HTTP_JSON_FORBIDDEN_KEY');
    assert.deepEqual((await read('{"constructor":1,"prototype":2}')).document, { constructor: 1, prototype: 2 });
  });

  test('a body that ends mid-document is refused as truncated and every sink opened is aborted, also one already complete', async () => {
    const full = JSON.stringify({ ...REST, berichtInhoud: bestand('QUJD'.repeat(1000)), berichtBijlagen: [bestand('QUJD'.repeat(1000))] });
    const cuts = [full.indexOf('QUJD') + 10, full.indexOf('berichtBijlagen') + 5, full.lastIndexOf('QUJD') + 2, full.length - 1, 0, 1];
    for (const cut of cuts) {
      const { sinks, open } = recorder();
      const refusal = await refusalOf(read(full.slice(0, cut), 7, 50, open));
      assert.equal(refusal.code, 'HTTP_JSON_TRUNCATED', `cut at ${cut}`);
      assert.ok(sinks.every((sink) => sink.state === 'aborted'), `cut at ${cut}`);
    }
    const { sinks, open } = recorder();
    await refusalOf(read(full.slice(0, full.lastIndexOf('QUJD')), 7, 50, open));
    assert.deepEqual(sinks.map((sink) => sink.state), ['aborted', 'aborted']);
  });

  test('a body whose stream fails (the client went away) aborts the sinks and passes the error on', async () => {
    const { sinks, open } = recorder();
    async function* body() {
      yield Buffer.from(`{"berichtInhoud":{"inhoud":"QUJD`);
      throw new Error('aborted');
    }
    await assert.rejects(readStreamedAanlevering(body(), open, LIMITS), /aborted/);
    assert.deepEqual(sinks.map((sink) => sink.state), ['aborted']);
  });

  test('an inhoud that is not base64 is refused naming its field: other characters, whitespace, padding, length, empty', async () => {
    const cases: [string, RegExp][] = [
      ['QUJ*', /teken "\*" op positie 3/],
      ['QUJD\nQUJD', /teken "\\n" op positie 4/],
      ['QUJD QUJD', /teken " " op positie 4/],
      ['QU=D', /opvulling/],
      ['Q===', /opvulling/],
      ['QUJDQ', /lengte 5/],
      ['QUJDQQ=', /lengte 7/],
      ['', /is leeg/],
    ];
    for (const [inhoud, message] of cases) {
      for (const [field, body] of [
        ['berichtInhoud.inhoud', { ...REST, berichtInhoud: bestand(inhoud) }],
        ['berichtBijlagen.1.inhoud', { ...REST, berichtBijlagen: [bestand('QUJD'), bestand(inhoud)] }],
      ] as const) {
        const { sinks, open } = recorder();
        const refusal = await refusalOf(read(JSON.stringify(body), 11, 3, open));
        assert.equal(refusal.code, 'ALS100', inhoud);
        assert.equal(refusal.status, 400);
        assert.match(refusal.message, new RegExp(`^${field.replaceAll('.', '\\.')} is `), inhoud);
        assert.match(refusal.message, message, inhoud);
        assert.equal((refusal.details as { veld: string }).veld, field);
        assert.ok(sinks.length > 0 && sinks.every((sink) => sink.state === 'aborted'));
      }
    }
  });

  test('a file larger than the limit is refused as too large once it passes it, without reading the rest', async () => {
    const limits = { ...LIMITS, maxFileBytes: 1000 };
    let pulled = 0;
    async function* body() {
      yield Buffer.from(`{"berichtBijlagen":[{"inhoud":"`);
      for (let index = 0; index < 10_000; index++) {
        pulled++;
        yield Buffer.from('QUJD'.repeat(100_000));
      }
      yield Buffer.from('"}]}');
    }
    const { sinks, open } = recorder();
    const refusal = await refusalOf(readStreamedAanlevering(body(), open, limits));
    assert.equal(refusal.status, 413);
    assert.match(refusal.message, /^berichtBijlagen\.0\.inhoud is groter dan 1000 bytes/);
    assert.ok(pulled < 5, `read ${pulled} chunks`);
    assert.deepEqual(sinks.map((sink) => [sink.state, sink.bytes.byteLength <= 1000]), [['aborted', true]]);
    // Exactly the limit is fine.
    const exact = await read(JSON.stringify({ berichtInhoud: bestand(Buffer.alloc(1000, 7).toString('base64')) }), 1, 333, recorder().open, limits);
    assert.equal(exact.files[0]!.bytes, 1000);
  });

  test('other strings, keys and numbers are capped, and so are the document, its depth and the number of attachments', async () => {
    const limits = { ...LIMITS, maxStringChars: 100, maxDocumentChars: 2000, maxDepth: 5, maxAttachments: 2 };
    const run = (body: string) => refusalOf(read(body, 2, 17, recorder().open, limits));
    const long = await run(JSON.stringify({ berichtsoort: 'x'.repeat(101) }));
    assert.equal(long.code, 'HTTP_JSON_STRING_TOO_LONG');
    assert.match(long.message, /string at berichtsoort is longer than 100 characters/);
    assert.equal((await run(`{"${'k'.repeat(101)}":1}`)).code, 'HTTP_JSON_STRING_TOO_LONG');
    assert.equal((await run(`{"n":${'1'.repeat(101)}}`)).code, 'HTTP_JSON_STRING_TOO_LONG');
    assert.equal((await run(JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`k${index}`, 'v'.repeat(5)]))))).code, 'HTTP_JSON_TOO_LARGE');
    assert.equal((await run(`[${Array.from({ length: 2001 }, () => '[]').join(',')}]`)).code, 'HTTP_JSON_TOO_LARGE');
    assert.equal((await run('[[[[[[]]]]]]')).code, 'HTTP_JSON_TOO_DEEP');
    assert.deepEqual((await read('[[[[[]]]]]', 1, 3, recorder().open, limits)).document, [[[[[]]]]]);
    const attachments = await run(JSON.stringify({ berichtBijlagen: [bestand('QQ=='), bestand('QQ=='), bestand('QQ==')] }));
    assert.equal(attachments.code, 'ALS100');
    assert.match(attachments.message, /meer dan 2 bijlagen/);
    // The inhoud itself is not capped by maxStringChars.
    const big = await read(JSON.stringify({ berichtInhoud: bestand('QUJD'.repeat(200)) }), 1, 50, recorder().open, limits);
    assert.equal(big.files[0]!.bytes, 600);
  });

  test('each write is awaited before more of the body is read (back-pressure)', async () => {
    let pulled = 0;
    let written = 0;
    async function* body() {
      yield Buffer.from(`{"berichtInhoud":{"inhoud":"`);
      for (let index = 0; index < 64; index++) {
        pulled++;
        // Each chunk holds more than one decoder batch.
        yield Buffer.from('QUJD'.repeat(100_000));
        assert.ok(pulled - written <= 2, `${pulled} chunks read, ${written} writes done`);
      }
      yield Buffer.from(`"}}`);
    }
    const slow: FileSink = {
      write: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        written++;
      },
      end: async () => undefined,
      abort: async () => undefined,
    };
    const result = await readStreamedAanlevering(body(), () => slow, LIMITS);
    assert.equal(result.files[0]!.bytes, 64 * 300_000);
  });

  test('50 MiB of content streams through in random chunks with the right bytes and SHA-256, while what the reader holds stays small', async (t) => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const block = 48 * 1024;
    const size = Math.ceil((50 * 1024 * 1024) / block) * block;
    // 16 random blocks of 48 KiB, encoded once and taken in random order, so that making the body costs no memory.
    const blocks = Array.from({ length: 16 }, () => randomBytes(block));
    const encoded = blocks.map((block) => Buffer.from(block.toString('base64')));
    const expected = createHash('sha256');
    /** The body in chunks of 1 byte to 64 KiB (what a socket gives), cut at random places in the base64. */
    async function* body(): AsyncGenerator<Buffer> {
      const next = random(9);
      const cut = function* (bytes: Buffer) {
        for (let at = 0; at < bytes.byteLength; ) {
          const length = 1 + Math.floor(next() * 64 * 1024);
          yield bytes.subarray(at, at + length);
          at += length;
        }
      };
      yield* cut(Buffer.from(`{"berichtsoort":"Omzetbelasting","berichtInhoud":{"mimeType":"text/xml","bestandsnaam":"groot.xml","inhoud":"`));
      for (let done = 0; done < size; done += block) {
        const pick = Math.floor(next() * blocks.length);
        expected.update(blocks[pick]!);
        yield* cut(encoded[pick]!);
      }
      yield* cut(Buffer.from(`"},"rolBelanghebbende":"Bedrijf","identiteitBelanghebbende":{"nummer":"001234567B01","type":"Fi"}}`));
    }
    gc();
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    let peak = before;
    let writes = 0;
    const received = createHash('sha256');
    let receivedBytes = 0;
    const sink: FileSink = {
      write: async (bytes) => {
        received.update(bytes);
        receivedBytes += bytes.byteLength;
        // What the reader holds, not the garbage it left: a collection before each sample.
        if (++writes % 64 === 0) {
          gc();
          peak = Math.max(peak, used());
        }
      },
      end: async () => undefined,
      abort: async () => undefined,
    };
    const started = process.hrtime.bigint();
    const result = await readStreamedAanlevering(body(), () => sink, LIMITS);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const sha = expected.digest('hex');
    assert.equal(receivedBytes, size);
    assert.equal(received.digest('hex'), sha);
    assert.deepEqual(result.files, [{ slot: { kind: 'content' }, bytes: size, sha256: sha }]);
    const growth = peak - before;
    t.diagnostic(`50 MiB in ${seconds.toFixed(2)} s (${(size / 1e6 / seconds).toFixed(1)} MB/s decoded); ${writes} writes; live heap+arrayBuffers grew ${(growth / 2 ** 20).toFixed(1)} MiB at most; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(growth < 32 * 2 ** 20, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  });
});
