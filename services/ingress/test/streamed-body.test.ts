import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { HttpException } from '@nestjs/common';
import { Refusal } from '@poort/contracts';
import { strictJsonParser } from '@poort/nest-kit';
import Fastify, { type FastifyInstance } from 'fastify';

import { DEFAULT_STREAMED_LIMITS, type FileSink, type StreamedSlot } from '../src/submission/streamed-aanlevering.js';
import { hasStreamedBody, readStreamedBody, readsStreamed, streamedBodyHook } from '../src/submission/streamed-body.js';

const MAX_BODY_BYTES = 80 * 1024 * 1024;
const STREAMED_FROM = 1024 * 1024;

/** A sink that keeps only a running SHA-256, like a store would keep no more than its current chunk. */
class HashingSink implements FileSink {
  readonly hash = createHash('sha256');
  bytes = 0;
  state: 'open' | 'ended' | 'aborted' = 'open';
  constructor(
    readonly slot: StreamedSlot,
    private readonly onWrite: () => void,
  ) {}
  async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.bytes += bytes.byteLength;
    this.onWrite();
  }
  async end(): Promise<void> {
    this.state = 'ended';
  }
  async abort(): Promise<void> {
    this.state = 'aborted';
  }
}

/**
 * A Fastify server wired as the aanleveren route is meant to be: the strict JSON parser as runService installs it,
 * streamedBodyHook on the route, and a handler that reads a set-aside body with readStreamedBody and answers the
 * others with what the JSON parser made of them. Refusals are answered with their status and code, as
 * HttpErrorFilter answers them.
 */
async function server(onWrite: () => void): Promise<{ fastify: FastifyInstance; url: URL; sinks: HashingSink[] }> {
  const sinks: HashingSink[] = [];
  const fastify = Fastify();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(fastify));
  fastify.setErrorHandler((error, _request, reply) => {
    if (error instanceof HttpException) return reply.status(error.getStatus()).send(error.getResponse());
    if (error instanceof Refusal) return reply.status(400).send({ code: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.status(status).send({ code: `HTTP_${status}`, message: (error as Error).message });
  });
  const open = (slot: StreamedSlot) => {
    const sink = new HashingSink(slot, onWrite);
    sinks.push(sink);
    return sink;
  };
  fastify.post('/aanleveren', { bodyLimit: MAX_BODY_BYTES, preParsing: streamedBodyHook(STREAMED_FROM) }, async (request) => {
    if (!hasStreamedBody(request)) return { buffered: request.body };
    const result = await readStreamedBody(request, open, { ...DEFAULT_STREAMED_LIMITS, maxFileBytes: 64 * 1024 * 1024, maxBodyBytes: MAX_BODY_BYTES });
    return { files: result.files, document: result.document };
  });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  return { fastify, url: new URL(`http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/aanleveren`), sinks };
}

/** POSTs a body from an iterable: chunked without `contentLength`, else with it. */
function post(url: URL, body: Iterable<Buffer>, headers: Record<string, string | number> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown> }));
    });
    request.on('error', reject);
    const chunks = body[Symbol.iterator]();
    const pump = (): void => {
      for (;;) {
        const next = chunks.next();
        if (next.done) {
          request.end();
          return;
        }
        if (!request.write(next.value)) {
          request.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** Sends only a request's head, as a client whose body Poort should refuse unread; the body is never sent. */
function postHeadOnly(url: URL, headers: Record<string, string | number>): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown> });
      });
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

describe('readStreamedBody: the aanleveren body read from a real HTTP request', () => {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  let writes = 0;
  let sample: () => void = () => undefined;
  let app: Awaited<ReturnType<typeof server>>;
  before(async () => {
    app = await server(() => {
      if (++writes % 64 === 0) sample();
    });
  });
  after(() => app.fastify.close());

  test('50 MiB of content, with its Content-Length, arrives decoded with its SHA-256, while what the process holds stays small', async (t) => {
    const block = 48 * 1024;
    const count = Math.ceil((50 * 1024 * 1024) / block);
    const blocks = Array.from({ length: 8 }, () => randomBytes(block));
    const encoded = blocks.map((bytes) => Buffer.from(bytes.toString('base64')));
    const expected = createHash('sha256');
    function* body(): Generator<Buffer> {
      yield head;
      for (let index = 0; index < count; index++) {
        expected.update(blocks[index % blocks.length]!);
        yield encoded[index % blocks.length]!;
      }
      yield tail;
    }
    const head = Buffer.from(`{"berichtsoort":"Omzetbelasting","berichtInhoud":{"mimeType":"text/xml","bestandsnaam":"groot.xml","inhoud":"`);
    const tail = Buffer.from(`"},"berichtBijlagen":[{"mimeType":"application/pdf","bestandsnaam":"b.pdf","inhoud":"QUJD"}]}`);
    const contentLength = head.length + count * encoded[0]!.length + tail.length;
    gc();
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const baseline = used();
    let peak = baseline;
    sample = () => {
      gc();
      peak = Math.max(peak, used());
    };
    const started = process.hrtime.bigint();
    const answer = await post(app.url, body(), { 'content-length': contentLength });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const sha = expected.digest('hex');
    assert.deepEqual(answer.json.files, [
      { slot: { kind: 'content' }, bytes: count * block, sha256: sha },
      { slot: { kind: 'attachment', index: 0 }, bytes: 3, sha256: createHash('sha256').update('ABC').digest('hex') },
    ]);
    const growth = peak - baseline;
    t.diagnostic(
      `${((count * block) / 2 ** 20).toFixed(0)} MiB over HTTP in ${seconds.toFixed(2)} s (${((count * block) / 1e6 / seconds).toFixed(1)} MB/s); live heap+arrayBuffers grew ${(growth / 2 ** 20).toFixed(1)} MiB at most; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
    assert.ok(growth < 32 * 2 ** 20, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    sample = () => undefined;
  });

  test('a body over the limit is refused with 413 by its Content-Length, before it is read', async () => {
    const declared = await postHeadOnly(app.url, { 'content-length': MAX_BODY_BYTES + 1 });
    assert.equal(declared.status, 413);
  });

  test('a JSON body in another charset is refused with 415, as the buffered parser refuses it', async () => {
    const answer = await postHeadOnly(app.url, { 'content-type': 'application/json; charset=latin1', 'content-length': STREAMED_FROM });
    assert.equal(answer.status, 415);
    assert.equal(answer.json.code, 'HTTP_CHARSET_UNSUPPORTED');
    // A small one, parsed whole, as before.
    const small = await post(app.url, [Buffer.from('{}')], { 'content-type': 'application/json; charset=latin1', 'content-length': 2 });
    assert.equal(small.status, 415);
    assert.equal(small.json.code, 'HTTP_CHARSET_UNSUPPORTED');
  });

  test('a large body with its Content-Length streams too, and a small one is parsed whole by the strict JSON parser as before', async () => {
    const content = randomBytes(3 * 1024 * 1024);
    const body = Buffer.from(JSON.stringify({ berichtsoort: 'X', berichtInhoud: { inhoud: content.toString('base64') } }));
    const large = await post(app.url, [body], { 'content-length': body.byteLength });
    assert.equal(large.status, 200, JSON.stringify(large.json));
    assert.deepEqual(large.json.files, [{ slot: { kind: 'content' }, bytes: content.byteLength, sha256: createHash('sha256').update(content).digest('hex') }]);
    assert.deepEqual(large.json.document, { berichtsoort: 'X', berichtInhoud: { inhoud: '' } });

    const small = Buffer.from('{"berichtsoort":"X","berichtInhoud":{"inhoud":"QUJD"}}');
    const buffered = await post(app.url, [small], { 'content-length': small.byteLength });
    assert.deepEqual(buffered.json, { buffered: { berichtsoort: 'X', berichtInhoud: { inhoud: 'QUJD' } } });
    const notUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    assert.equal((await post(app.url, [notUtf8], { 'content-length': notUtf8.byteLength })).json.code, 'HTTP_BODY_NOT_UTF8');
  });

  test('readsStreamed: from the threshold by Content-Length; a chunked body is read whole', () => {
    assert.equal(readsStreamed({ 'content-length': String(STREAMED_FROM - 1) }, STREAMED_FROM), false);
    assert.equal(readsStreamed({ 'content-length': String(STREAMED_FROM) }, STREAMED_FROM), true);
    assert.equal(readsStreamed({ 'transfer-encoding': 'chunked' }, STREAMED_FROM), false);
    assert.equal(readsStreamed({}, STREAMED_FROM), false);
  });
});
