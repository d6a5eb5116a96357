import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ndjsonLines, type NdjsonEntry, type NdjsonLimits } from '../src/bulk/ndjson-lines.js';

const LIMITS: NdjsonLimits = { maxLineBytes: 16, maxTotalBytes: 1_000 };

async function read(chunks: readonly (string | Uint8Array)[], limits: NdjsonLimits = LIMITS): Promise<NdjsonEntry[]> {
  async function* body() {
    for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
  const entries: NdjsonEntry[] = [];
  for await (const entry of ndjsonLines(body(), limits)) entries.push(entry);
  return entries;
}

const line = (text: string): NdjsonEntry => ({ kind: 'line', text });

/** Every way to cut `text` into two chunks, and into single bytes. */
function splits(text: string): Uint8Array[][] {
  const bytes = Buffer.from(text);
  const ways: Uint8Array[][] = [[...bytes].map((byte) => Uint8Array.of(byte))];
  for (let at = 0; at <= bytes.length; at++) ways.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return ways;
}

describe('ndjsonLines: an NDJSON body as it streams in', () => {
  test('lines come out whole however the chunks fall, also across a multi-byte character', async () => {
    const text = '{"a":1}\r\n{"b":"é€"}\n\n  \n{"c":3}';
    for (const chunks of splits(text)) {
      assert.deepEqual(await read(chunks), [line('{"a":1}'), line('{"b":"é€"}'), line('{"c":3}')]);
    }
  });

  test('a line over the limit is reported with its length and skipped, the lines after it still come', async () => {
    const long = 'x'.repeat(40);
    for (const chunks of splits(`{"a":1}\n${long}\n{"c":3}\n`)) {
      assert.deepEqual(await read(chunks), [line('{"a":1}'), { kind: 'too-long', bytes: 40 }, line('{"c":3}')]);
    }
  });

  test('a line of exactly the limit is a line, with or without \\r; one byte more is too long', async () => {
    const exact = 'y'.repeat(16);
    assert.deepEqual(await read([`${exact}\r\n${exact}\n${exact}z\n`]), [line(exact), line(exact), { kind: 'too-long', bytes: 17 }]);
  });

  test('bytes that are not UTF-8 refuse their own line only', async () => {
    const entries = await read([Buffer.from('{"a":1}\n'), Uint8Array.of(0x7b, 0xff, 0x7d, 0x0a), Buffer.from('{"c":3}')]);
    assert.deepEqual(entries, [line('{"a":1}'), { kind: 'not-utf8' }, line('{"c":3}')]);
  });

  test('a body over the total limit ends with over-total; the line it cut is not given', async () => {
    const entries = await read(['{"a":1}\n{"b":2}\n', '{"c":3}\n{"d":4}\n'], { maxLineBytes: 16, maxTotalBytes: 20 });
    assert.deepEqual(entries, [line('{"a":1}'), line('{"b":2}'), { kind: 'over-total', limit: 20 }]);
  });

  test('a body of exactly the total limit is read whole', async () => {
    assert.deepEqual(await read(['{"a":1}\n', '{"b":2}'], { maxLineBytes: 16, maxTotalBytes: 15 }), [line('{"a":1}'), line('{"b":2}')]);
  });

  test('an empty body has no lines', async () => {
    assert.deepEqual(await read([]), []);
    assert.deepEqual(await read(['\n\n']), []);
  });

  test('a huge line is never held: 64 MiB through a 1 KiB limit keeps the heap flat', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    async function* body() {
      for (let i = 0; i < 64; i++) yield chunk;
      yield Buffer.from('\n{"ok":true}\n');
    }
    const before = process.memoryUsage().arrayBuffers;
    const entries: NdjsonEntry[] = [];
    for await (const entry of ndjsonLines(body(), { maxLineBytes: 1024, maxTotalBytes: 1024 ** 3 })) entries.push(entry);
    assert.deepEqual(entries, [{ kind: 'too-long', bytes: 64 * 1024 * 1024 }, line('{"ok":true}')]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
  });
});
