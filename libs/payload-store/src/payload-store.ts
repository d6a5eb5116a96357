import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { PayloadRef } from '@poort/contracts';
import { StatementParams, prepared, type Pool, type Queryable } from '@poort/message-state';

import { countStreamedBytes } from './collection-cadence.js';

/** Chunks are what a single row holds; a payload of any size is written and read one chunk at a time. */
export const CHUNK_BYTES = 1024 * 1024;

/** How much content a stage reads (readAll) or writes (putAll) in one statement, at most, unless one payload is larger. */
export const CONTENT_AT_ONCE_BYTES = 8 * CHUNK_BYTES;

/**
 * Items in their order, in groups whose sizes add up to at most `maxBytes` (a larger item makes a group of its own):
 * a run of many large payloads is then read group by group, not all at once.
 */
export function inGroupsOfAtMost<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = CONTENT_AT_ONCE_BYTES): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

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
    const writer = this.openWriter(tx, maxBytes);
    for await (const piece of content instanceof Uint8Array ? [content] : content) await writer.write(piece);
    return { ...(await writer.end()), mimeType: meta.mimeType, bestandsnaam: meta.bestandsnaam };
  }

  /**
   * A payload written as its bytes come (a request body being decoded, say): each full chunk is inserted in `tx` as it
   * fills, so memory stays at one chunk. The payload exists once `end` has run and `tx` commits; until then, rolling
   * `tx` back leaves nothing.
   */
  openWriter(tx: Queryable, maxBytes = Infinity): PayloadWriter {
    return new ChunkedPayloadWriter(tx, maxBytes);
  }
  /**
   * Several contents already in memory (a batch of submissions, renditions), in one statement for all of them
   * rather than two each. Each may span several chunks.
   */
  async putAll(tx: Queryable, contents: readonly { readonly bytes: Uint8Array; readonly meta: PayloadMeta }[]): Promise<PayloadRef[]> {
    if (contents.length === 0) return [];
    const params = new StatementParams();
    const { refs, writes } = this.putAllWrites(params, contents);
    await tx.query(prepared('payloads.put-all', `WITH ${writes.join(',\n')} SELECT 1`, params.values));
    return refs;
  }

  /**
   * putAll as WITH queries (`payloads_put`, `payload_chunks_put`) of a statement the caller composes, with the refs of
   * what they write. The chunks' reference to their payload is checked at commit (a deferred foreign key).
   */
  putAllWrites(params: StatementParams, contents: readonly { readonly bytes: Uint8Array; readonly meta: PayloadMeta }[]): { refs: PayloadRef[]; writes: string[] } {
    const refs: PayloadRef[] = [];
    const chunks: { id: string; seq: number; data: Uint8Array }[] = [];
    for (const { bytes, meta } of contents) {
      const id = randomUUID();
      for (let offset = 0, seq = 0; offset < bytes.byteLength; offset += CHUNK_BYTES, seq++) {
        chunks.push({ id, seq, data: bytes.subarray(offset, offset + CHUNK_BYTES) });
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      refs.push({ id, size: bytes.byteLength, sha256, mimeType: meta.mimeType, bestandsnaam: meta.bestandsnaam });
    }
    const writes = [
      `payloads_put AS (INSERT INTO payloads (id, size, sha256)
         SELECT * FROM unnest(${params.add(refs.map((ref) => ref.id), 'uuid[]')}, ${params.add(refs.map((ref) => ref.size), 'bigint[]')}, ${params.add(refs.map((ref) => ref.sha256), 'text[]')}))`,
      `payload_chunks_put AS (INSERT INTO payload_chunks (payload_id, seq, data)
         SELECT * FROM unnest(${params.add(chunks.map((chunk) => chunk.id), 'uuid[]')}, ${params.add(chunks.map((chunk) => chunk.seq), 'int[]')},
                              ${params.add(chunks.map((chunk) => Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength)), 'bytea[]')}))`,
    ];
    return { refs, writes };
  }

  /** The content as a stream, one chunk per query: memory stays at one chunk whatever the size. */
  stream(ref: Pick<PayloadRef, 'id'>): Readable {
    const chunks = this.chunks(ref.id, 0, Infinity);
    return Readable.from(
      (async function* () {
        for await (const { data } of chunks) yield data;
      })(),
      { objectMode: false },
    );
  }

  /**
   * Bytes `start` to `endInclusive` of the content (an HTTP byte range), as a stream that queries only the chunks that
   * overlap, one per query, each sliced to the range: memory stays at one chunk whatever the size. The caller checks
   * the range against the size (a range past the end ends the stream early).
   */
  readRange(ref: Pick<PayloadRef, 'id'>, start: number, endInclusive: number): Readable {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0 || endInclusive < start) {
      throw new RangeError(`invalid byte range ${start}-${endInclusive}`);
    }
    const chunks = this.chunks(ref.id, Math.floor(start / CHUNK_BYTES), Math.floor(endInclusive / CHUNK_BYTES));
    return Readable.from(
      (async function* () {
        for await (const { seq, data } of chunks) {
          const chunkStart = seq * CHUNK_BYTES;
          yield data.subarray(Math.max(0, start - chunkStart), Math.min(data.byteLength, endInclusive - chunkStart + 1));
        }
      })(),
      { objectMode: false },
    );
  }

  /** Chunks first..last of a payload (fewer where it ends), one query each. */
  private async *chunks(id: string, first: number, last: number): AsyncGenerator<{ seq: number; data: Buffer }> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM payloads WHERE id = $1', [id]);
    if (rowCount === 0) throw new PayloadNotFoundError(id);
    for (let seq = first; seq <= last; seq++) {
      const { rows } = await this.pool.query<{ data: Buffer }>(
        prepared('payloads.read-chunk', 'SELECT data FROM payload_chunks WHERE payload_id = $1 AND seq = $2', [id, seq]),
      );
      if (rows.length === 0) return;
      countStreamedBytes(rows[0]!.data.byteLength);
      yield { seq, data: rows[0]!.data };
    }
  }

  /**
   * The content of each payload that fits in one chunk, in one query for all (a delivery round's, say); larger ones,
   * and payloads that do not exist, are left out: stream those.
   */
  async readSmall(refs: readonly Pick<PayloadRef, 'id' | 'size'>[]): Promise<Map<string, Buffer>> {
    const sizes = new Map(refs.filter((ref) => ref.size > 0 && ref.size <= CHUNK_BYTES).map((ref) => [ref.id, ref.size]));
    if (sizes.size === 0) return new Map();
    const { rows } = await this.pool.query<{ payload_id: string; data: Buffer }>(
      prepared(
        'payloads.read-small',
        'SELECT payload_id, data FROM payload_chunks WHERE payload_id = ANY($1::uuid[]) AND seq = 0',
        [[...sizes.keys()]],
      ),
    );
    return new Map(rows.filter((row) => row.data.byteLength === sizes.get(row.payload_id)).map((row) => [row.payload_id, row.data]));
  }

  /**
   * The whole contents of several payloads (a stage's run), in one query, each checked against its hash; a payload
   * that does not exist is a PayloadNotFoundError for the lot.
   */
  async readAll(refs: readonly Pick<PayloadRef, 'id' | 'sha256'>[]): Promise<Map<string, Buffer>> {
    const ids = [...new Set(refs.map((ref) => ref.id))];
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ payload_id: string; data: Buffer }>(
      prepared(
        'payloads.read-all',
        'SELECT c.payload_id, c.data FROM payloads p JOIN payload_chunks c ON c.payload_id = p.id WHERE p.id = ANY($1::uuid[]) ORDER BY c.payload_id, c.seq',
        [ids],
      ),
    );
    const chunks = new Map<string, Buffer[]>();
    for (const row of rows) {
      const parts = chunks.get(row.payload_id);
      if (parts) parts.push(row.data);
      else chunks.set(row.payload_id, [row.data]);
    }
    const contents = new Map<string, Buffer>();
    for (const ref of refs) {
      if (contents.has(ref.id)) continue;
      const content = Buffer.concat(chunks.get(ref.id) ?? []);
      if (!chunks.has(ref.id) && !(await this.exists(ref.id))) throw new PayloadNotFoundError(ref.id);
      checkHash(ref, content);
      contents.set(ref.id, content);
    }
    return contents;
  }

  /** The whole content, for stages that need a document in memory (XML parsing); checked against its hash. */
  async read(ref: Pick<PayloadRef, 'id' | 'sha256'>): Promise<Buffer> {
    return (await this.readAll([ref])).get(ref.id)!;
  }

  private async exists(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM payloads WHERE id = $1', [id]);
    return rowCount !== 0;
  }
}

function checkHash(ref: Pick<PayloadRef, 'id' | 'sha256'>, content: Buffer): void {
  const actual = createHash('sha256').update(content).digest('hex');
  if (actual !== ref.sha256) throw new Error(`payload ${ref.id} does not match its SHA-256`);
}

/** What a PayloadWriter wrote: the PayloadRef's own fields, without the meta that the envelope carries. */
export type WrittenPayload = Pick<PayloadRef, 'id' | 'size' | 'sha256'>;

export interface PayloadWriter {
  /** Appends bytes; resolves once what filled a chunk is inserted. */
  write(bytes: Uint8Array): Promise<void>;
  /** Inserts the last chunk and the payload's row. */
  end(): Promise<WrittenPayload>;
}

class ChunkedPayloadWriter implements PayloadWriter {
  private readonly id = randomUUID();
  private readonly hash = createHash('sha256');
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private filled = 0;
  private size = 0;
  private seq = 0;

  constructor(
    private readonly tx: Queryable,
    private readonly maxBytes: number,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.size += bytes.byteLength;
    if (this.size > this.maxBytes) throw new PayloadTooLargeError(this.maxBytes);
    this.hash.update(bytes);
    for (let at = 0; at < bytes.byteLength; ) {
      const taken = Math.min(CHUNK_BYTES - this.filled, bytes.byteLength - at);
      this.chunk.set(bytes.subarray(at, at + taken), this.filled);
      this.filled += taken;
      at += taken;
      if (this.filled === CHUNK_BYTES) await this.flush();
    }
  }

  async end(): Promise<WrittenPayload> {
    if (this.filled > 0) await this.flush();
    const sha256 = this.hash.digest('hex');
    await this.tx.query('INSERT INTO payloads (id, size, sha256) VALUES ($1, $2, $3)', [this.id, this.size, sha256]);
    return { id: this.id, size: this.size, sha256 };
  }

  private async flush(): Promise<void> {
    // The chunk buffer is reused: write() awaits this insert before it fills the buffer again.
    await this.tx.query('INSERT INTO payload_chunks (payload_id, seq, data) VALUES ($1, $2, $3)', [this.id, this.seq++, this.chunk.subarray(0, this.filled)]);
    countStreamedBytes(this.filled);
    this.filled = 0;
  }
}
