import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { PayloadRef } from '@poort/contracts';
import type { Pool, Queryable } from '@poort/message-state';

/** Chunks are what a single row holds; a payload of any size is written and read one chunk at a time. */
export const CHUNK_BYTES = 1024 * 1024;

export class PayloadNotFoundError extends Error {
  readonly code = 'PAYLOAD_NOT_FOUND';
  constructor(readonly payloadId: string) {
    super(`payload ${payloadId} does not exist`);
  }
}

export class PayloadTooLargeError extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`payload exceeds ${limit} bytes`);
  }
}

export interface PayloadMeta {
  readonly mimeType: string;
  readonly bestandsnaam: string;
}

/**
 * The claim check: content is stored once, in Postgres, and travels through the chain as a PayloadRef.
 * Writes join the caller's transaction, so a payload exists exactly when the message that refers to it does.
 */
export class PayloadStore {
  constructor(private readonly pool: Pool) {}

  async put(tx: Queryable, content: Uint8Array | AsyncIterable<Uint8Array>, meta: PayloadMeta, maxBytes = Infinity): Promise<PayloadRef> {
    const id = randomUUID();
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    for await (const chunk of rechunk(content)) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
      hash.update(chunk);
      await tx.query('INSERT INTO payload_chunks (payload_id, seq, data) VALUES ($1, $2, $3)', [id, seq++, chunk]);
    }
    const sha256 = hash.digest('hex');
    await tx.query('INSERT INTO payloads (id, size, sha256) VALUES ($1, $2, $3)', [id, size, sha256]);
    return { id, size, sha256, mimeType: meta.mimeType, bestandsnaam: meta.bestandsnaam };
  }

  /** The content as a stream, one chunk per query: memory stays at one chunk whatever the size. */
  stream(ref: Pick<PayloadRef, 'id'>): Readable {
    const pool = this.pool;
    return Readable.from(
      (async function* () {
        const { rowCount } = await pool.query('SELECT 1 FROM payloads WHERE id = $1', [ref.id]);
        if (rowCount === 0) throw new PayloadNotFoundError(ref.id);
        for (let seq = 0; ; seq++) {
          const { rows } = await pool.query<{ data: Buffer }>(
            'SELECT data FROM payload_chunks WHERE payload_id = $1 AND seq = $2',
            [ref.id, seq],
          );
          if (rows.length === 0) return;
          yield rows[0]!.data;
        }
      })(),
      { objectMode: false },
    );
  }

  /** The whole content, for stages that need a document in memory (XML parsing); checked against its hash. */
  async read(ref: Pick<PayloadRef, 'id' | 'sha256'>): Promise<Buffer> {
    const { rows } = await this.pool.query<{ data: Buffer }>(
      'SELECT data FROM payload_chunks WHERE payload_id = $1 ORDER BY seq',
      [ref.id],
    );
    if (rows.length === 0) {
      const exists = await this.pool.query('SELECT 1 FROM payloads WHERE id = $1', [ref.id]);
      if (exists.rowCount === 0) throw new PayloadNotFoundError(ref.id);
    }
    const content = Buffer.concat(rows.map((row) => row.data));
    const actual = createHash('sha256').update(content).digest('hex');
    if (actual !== ref.sha256) throw new Error(`payload ${ref.id} does not match its SHA-256`);
    return content;
  }
}

async function* rechunk(content: Uint8Array | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (content instanceof Uint8Array) {
    for (let offset = 0; offset < content.byteLength; offset += CHUNK_BYTES) {
      yield content.subarray(offset, offset + CHUNK_BYTES);
    }
    return;
  }
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  for await (const piece of content) {
    buffered.push(piece);
    bufferedBytes += piece.byteLength;
    while (bufferedBytes >= CHUNK_BYTES) {
      const all = Buffer.concat(buffered);
      yield all.subarray(0, CHUNK_BYTES);
      buffered = [all.subarray(CHUNK_BYTES)];
      bufferedBytes = all.byteLength - CHUNK_BYTES;
    }
  }
  if (bufferedBytes > 0) yield Buffer.concat(buffered);
}
