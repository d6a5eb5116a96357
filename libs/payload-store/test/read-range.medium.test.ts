import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { PayloadRef } from '@poort/contracts';
import { withTransaction } from '@poort/message-state';
import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { CHUNK_BYTES, PayloadNotFoundError, PayloadStore } from '../src/payload-store.js';

/* Byte ranges of a stored payload of several chunks (and a bit), on a real Postgres, against the bytes that went in. */

let db: ScratchDatabase;
let store: PayloadStore;
let ref: PayloadRef;
const content = randomBytes(3 * CHUNK_BYTES + 12_345);

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'read_range');
  store = new PayloadStore(db.pool);
  ref = await withTransaction(db.pool, (tx) => store.put(tx, content, { mimeType: 'application/octet-stream', bestandsnaam: 'groot.bin' }));
});

after(async () => {
  await db?.drop();
});

describe('PayloadStore.readRange', () => {
  const ranges: [string, number, number][] = [
    ['the first byte', 0, 0],
    ['the last byte', content.byteLength - 1, content.byteLength - 1],
    ['the whole content', 0, content.byteLength - 1],
    ['within one chunk', 100, 1_000],
    ['across one chunk border', CHUNK_BYTES - 10, CHUNK_BYTES + 9],
    ['exactly one chunk', CHUNK_BYTES, 2 * CHUNK_BYTES - 1],
    ['across several borders', CHUNK_BYTES / 2, 3 * CHUNK_BYTES + 5],
    ['the short last chunk', 3 * CHUNK_BYTES, content.byteLength - 1],
  ];
  for (const [name, start, end] of ranges) {
    it(`answers ${name} (${start}-${end}) with exactly those bytes`, async () => {
      const bytes = await collect(store.readRange(ref, start, end));
      assert.equal(bytes.byteLength, end - start + 1);
      assert.ok(bytes.equals(content.subarray(start, end + 1)));
    });
  }

  it('streams one chunk at a time: no piece is larger than a chunk', async () => {
    let largest = 0;
    for await (const piece of store.readRange(ref, 0, content.byteLength - 1)) largest = Math.max(largest, (piece as Buffer).byteLength);
    assert.equal(largest, CHUNK_BYTES);
  });

  it('ends at the content end for a range past it', async () => {
    const bytes = await collect(store.readRange(ref, content.byteLength - 5, content.byteLength + 100));
    assert.ok(bytes.equals(content.subarray(content.byteLength - 5)));
  });

  it('refuses a reversed or negative range, and fails for a payload that does not exist', async () => {
    assert.throws(() => store.readRange(ref, 10, 9), RangeError);
    assert.throws(() => store.readRange(ref, -1, 9), RangeError);
    await assert.rejects(collect(store.readRange({ id: '00000000-0000-4000-8000-000000000000' }, 0, 1)), PayloadNotFoundError);
  });
});
