import { prepared, withTransaction, type Pool, type Queryable } from '@poort/message-state';

import { countStreamedBytes } from './collection-cadence.js';
import { CHUNK_BYTES } from './payload-store.js';

/**
 * How much of a part one query reads back. A whole 1 MiB row would come as a 2 MiB hex string and several megabytes of
 * protocol buffers, all garbage a moment later, which V8 collects late (large objects, external memory): the process
 * grew by ~50 MiB while completing a 200 MB file. Slices this small die young and are collected at once; EXTERNAL
 * storage (migration 0024) lets Postgres read just the slice's TOAST chunks.
 */
const READ_SLICE_BYTES = 64 * 1024;

/** Where an upload is: receiving parts, done (its message exists), expired before it was complete, or failed its check. */
export type UploadStatus = 'open' | 'voltooid' | 'verlopen' | 'mislukt';

/** Bytes `start` to `end` of a file, both included (as in Content-Range). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A staged upload as its row holds it (migration 0024, grote_berichten_uploads). */
export interface StagedUpload {
  readonly uploadId: string;
  readonly senderOin: string;
  readonly aanleverkenmerk: string | undefined;
  readonly fingerprint: string;
  /** What the upload was announced with, as the announcing use case gave it; the message is made from it. */
  readonly announcement: unknown;
  readonly grootte: number;
  readonly sha256: string;
  readonly status: UploadStatus;
  readonly kenmerk: string | undefined;
  readonly foutcode: string | undefined;
  readonly expiresAt: Date;
}

/** What an announcement stores: the upload as it starts, open and with nothing received. */
export type NewUpload = Omit<StagedUpload, 'status' | 'kenmerk' | 'foutcode'>;

/** A part could not be written: the upload is no longer open (or has passed its expiry). */
export class UploadClosedError extends Error {
  readonly code = 'UPLOAD_CLOSED';
  constructor(
    readonly uploadId: string,
    readonly status: UploadStatus,
  ) {
    super(`upload ${uploadId} is ${status}`);
  }
}

/** A body that brought more bytes than its range holds. */
export class BodyLongerThanRangeError extends Error {
  readonly code = 'UPLOAD_BODY_TOO_LONG';
  constructor(readonly length: number) {
    super(`the body is longer than its range of ${length} bytes`);
  }
}

interface UploadRow {
  upload_id: string;
  sender_oin: string;
  aanleverkenmerk: string | null;
  fingerprint: string;
  announcement: unknown;
  grootte: string;
  sha256: string;
  status: UploadStatus;
  kenmerk: string | null;
  foutcode: string | null;
  expires_at: Date;
}

const COLUMNS = 'upload_id, sender_oin, aanleverkenmerk, fingerprint, announcement, grootte, sha256, status, kenmerk, foutcode, expires_at';

/**
 * The staging area of Digikoppeling Grote Berichten (sender side): announced uploads and the bytes received for them,
 * in rows of at most CHUNK_BYTES that never overlap, written as the body streams in (each row committed on its own,
 * so an interrupted PUT keeps what arrived) and read back in order, one row per query, when the file is complete.
 * Memory stays at one row whatever the file's size.
 */
export class StagedUploads {
  constructor(private readonly pool: Pool) {}

  /**
   * Records a new upload; with an aanleverkenmerk the sender already announced, the upload it has (`created: false`),
   * unless that one expired (swept or not yet) or failed: then the new announcement takes its place.
   */
  async announce(upload: NewUpload): Promise<{ readonly upload: StagedUpload; readonly created: boolean }> {
    return withTransaction(this.pool, async (tx) => {
      if (upload.aanleverkenmerk !== undefined) {
        const { rows } = await tx.query<UploadRow>(
          `SELECT ${COLUMNS} FROM grote_berichten_uploads WHERE sender_oin = $1 AND aanleverkenmerk = $2 FOR UPDATE`,
          [upload.senderOin, upload.aanleverkenmerk],
        );
        const earlier = rows[0];
        const live = earlier && (earlier.status === 'voltooid' || (earlier.status === 'open' && earlier.expires_at.getTime() > Date.now()));
        if (live) return { upload: uploadOf(earlier), created: false };
        if (earlier) await tx.query('DELETE FROM grote_berichten_uploads WHERE upload_id = $1', [earlier.upload_id]);
      }
      const { rows } = await tx.query<UploadRow>(
        `INSERT INTO grote_berichten_uploads (upload_id, sender_oin, aanleverkenmerk, fingerprint, announcement, grootte, sha256, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (sender_oin, aanleverkenmerk) WHERE aanleverkenmerk IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}`,
        [upload.uploadId, upload.senderOin, upload.aanleverkenmerk ?? null, upload.fingerprint, JSON.stringify(upload.announcement), upload.grootte, upload.sha256, upload.expiresAt],
      );
      if (rows[0]) return { upload: uploadOf(rows[0]), created: true };
      // A concurrent announcement of the same aanleverkenmerk committed first (Read Committed sees it now).
      const { rows: theirs } = await tx.query<UploadRow>(`SELECT ${COLUMNS} FROM grote_berichten_uploads WHERE sender_oin = $1 AND aanleverkenmerk = $2`, [
        upload.senderOin,
        upload.aanleverkenmerk,
      ]);
      return { upload: uploadOf(theirs[0]!), created: false };
    });
  }

  /** The sender's upload; someone else's and one that does not exist look the same (undefined). */
  async find(uploadId: string, senderOin: string): Promise<StagedUpload | undefined> {
    const { rows } = await this.pool.query<UploadRow>(`SELECT ${COLUMNS} FROM grote_berichten_uploads WHERE upload_id = $1 AND sender_oin = $2`, [uploadId, senderOin]);
    return rows[0] && uploadOf(rows[0]);
  }

  /** The ranges received so far, merged, in order. */
  async received(uploadId: string, db: Queryable = this.pool): Promise<ByteRange[]> {
    const { rows } = await db.query<{ start: string; length: number }>('SELECT start, octet_length(data) AS length FROM upload_parts WHERE upload_id = $1 ORDER BY start', [
      uploadId,
    ]);
    const ranges: { start: number; end: number }[] = [];
    for (const row of rows) {
      const start = Number(row.start);
      const end = start + row.length - 1;
      const last = ranges.at(-1);
      if (last && last.end + 1 === start) last.end = end;
      else ranges.push({ start, end });
    }
    return ranges;
  }

  /**
   * Stores `body` as the bytes from `start` on, at most `length` of them, in rows of at most CHUNK_BYTES, each in its
   * own transaction under the upload's row lock. Bytes already received in that place are replaced (the newest win).
   * Returns how many bytes it stored: fewer than `length` when the body ended early (what came is kept). Throws
   * UploadClosedError when the upload is not open (or past its expiry), BodyLongerThanRangeError when the body brings
   * more than `length` bytes (the rows before stay).
   */
  async writeRange(uploadId: string, start: number, length: number, body: AsyncIterable<Uint8Array>): Promise<number> {
    let written = 0;
    for await (const row of rows(body)) {
      if (written + row.byteLength > length) {
        const fits = length - written;
        if (fits > 0) await this.writeRow(uploadId, start + written, row.subarray(0, fits));
        throw new BodyLongerThanRangeError(length);
      }
      await this.writeRow(uploadId, start + written, row);
      written += row.byteLength;
      countStreamedBytes(row.byteLength);
    }
    return written;
  }

  private writeRow(uploadId: string, start: number, data: Uint8Array): Promise<void> {
    const end = start + data.byteLength; // exclusive
    return withTransaction(this.pool, async (tx) => {
      // NO KEY UPDATE: writers of one upload take turns, and a completion (FOR UPDATE) waits for the row in hand.
      const { rows: found } = await tx.query<{ status: UploadStatus; expired: boolean }>(
        'SELECT status, expires_at <= now() AS expired FROM grote_berichten_uploads WHERE upload_id = $1 FOR NO KEY UPDATE',
        [uploadId],
      );
      const upload = found[0];
      if (!upload) throw new UploadClosedError(uploadId, 'verlopen');
      if (upload.status !== 'open') throw new UploadClosedError(uploadId, upload.status);
      if (upload.expired) throw new UploadClosedError(uploadId, 'verlopen');
      const params = [uploadId, start, end];
      const len = 'octet_length(data)';
      // Rows never overlap: what the new row covers is cut out of the rows that were there, in this order.
      // A row that spans the whole new range keeps its tail as a row of its own, then its head...
      await tx.query(
        `INSERT INTO upload_parts (upload_id, start, data)
         SELECT upload_id, $3::bigint, substring(data FROM ($3::bigint - start + 1)::int) FROM upload_parts
          WHERE upload_id = $1 AND start < $2::bigint AND start + ${len} > $3::bigint`,
        params,
      );
      await tx.query(
        `UPDATE upload_parts SET data = substring(data FROM 1 FOR ($2::bigint - start)::int)
          WHERE upload_id = $1 AND start < $2::bigint AND start + ${len} > $2::bigint`,
        [uploadId, start],
      );
      // ...a row that starts inside it and ends after it keeps its tail...
      await tx.query(
        `UPDATE upload_parts SET start = $3::bigint, data = substring(data FROM ($3::bigint - start + 1)::int)
          WHERE upload_id = $1 AND start >= $2::bigint AND start < $3::bigint AND start + ${len} > $3::bigint`,
        params,
      );
      // ...and rows inside it go.
      await tx.query(`DELETE FROM upload_parts WHERE upload_id = $1 AND start >= $2::bigint AND start + ${len} <= $3::bigint`, params);
      await tx.query('INSERT INTO upload_parts (upload_id, start, data) VALUES ($1, $2, $3)', [uploadId, start, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
    });
  }

  /** The upload, locked for the rest of `tx`: the one transaction that may complete it. */
  async lock(tx: Queryable, uploadId: string): Promise<StagedUpload> {
    const { rows } = await tx.query<UploadRow>(`SELECT ${COLUMNS} FROM grote_berichten_uploads WHERE upload_id = $1 FOR UPDATE`, [uploadId]);
    if (!rows[0]) throw new Error(`upload ${uploadId} does not exist`);
    return uploadOf(rows[0]);
  }

  /**
   * The file's bytes in order, read in `tx` in slices of READ_SLICE_BYTES. It stops where the received bytes stop: a
   * gap ends it early, which the caller sees as a size that does not match.
   */
  async *content(tx: Queryable, uploadId: string): AsyncGenerator<Buffer> {
    for (let next = 0; ; ) {
      const { rows } = await tx.query<{ length: number }>(prepared('upload-parts.length', 'SELECT octet_length(data) AS length FROM upload_parts WHERE upload_id = $1 AND start = $2', [uploadId, next]));
      const length = rows[0]?.length;
      if (length === undefined) return;
      for (let offset = 0; offset < length; offset += READ_SLICE_BYTES) {
        const { rows: slice } = await tx.query<{ data: Buffer }>(
          prepared('upload-parts.slice', 'SELECT substring(data FROM $3 FOR $4) AS data FROM upload_parts WHERE upload_id = $1 AND start = $2', [uploadId, next, offset + 1, READ_SLICE_BYTES]),
        );
        countStreamedBytes(slice[0]!.data.byteLength);
        yield slice[0]!.data;
      }
      next += length;
    }
  }

  /** Completed as message `kenmerk`: its parts go. */
  async finish(tx: Queryable, uploadId: string, kenmerk: string): Promise<void> {
    await tx.query("UPDATE grote_berichten_uploads SET status = 'voltooid', kenmerk = $2, finished_at = now() WHERE upload_id = $1", [uploadId, kenmerk]);
    await tx.query('DELETE FROM upload_parts WHERE upload_id = $1', [uploadId]);
  }

  /** An open upload whose message already exists (found by its aanleverkenmerk): completed as that message. */
  async settle(uploadId: string, kenmerk: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const { rowCount } = await tx.query("SELECT 1 FROM grote_berichten_uploads WHERE upload_id = $1 AND status = 'open' FOR UPDATE", [uploadId]);
      if (rowCount) await this.finish(tx, uploadId, kenmerk);
    });
  }

  /** Failed its check (`foutcode`): its parts go; the sender announces it again. */
  async fail(uploadId: string, foutcode: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await tx.query("UPDATE grote_berichten_uploads SET status = 'mislukt', foutcode = $2, finished_at = now() WHERE upload_id = $1 AND status = 'open'", [uploadId, foutcode]);
      await tx.query('DELETE FROM upload_parts WHERE upload_id = $1', [uploadId]);
    });
  }

  /**
   * Open uploads past their expiry, at most `limit` of them, become verlopen and lose their parts (the storage comes
   * back). SKIP LOCKED: an upload that is being written or completed is left to the next round. Returns how many.
   */
  async expireDue(limit: number): Promise<number> {
    return withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ upload_id: string }>(
        `UPDATE grote_berichten_uploads SET status = 'verlopen', finished_at = now()
          WHERE upload_id IN (SELECT upload_id FROM grote_berichten_uploads WHERE status = 'open' AND expires_at <= now()
                               ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING upload_id`,
        [limit],
      );
      if (rows.length > 0) await tx.query('DELETE FROM upload_parts WHERE upload_id = ANY($1::uuid[])', [rows.map((row) => row.upload_id)]);
      return rows.length;
    });
  }
}

/** The ranges of a file of `size` bytes that `received` (merged, in order) does not cover. */
export function missingRanges(received: readonly ByteRange[], size: number): ByteRange[] {
  const missing: ByteRange[] = [];
  let next = 0;
  for (const range of received) {
    if (range.start > next) missing.push({ start: next, end: range.start - 1 });
    next = Math.max(next, range.end + 1);
  }
  if (next < size) missing.push({ start: next, end: size - 1 });
  return missing;
}

/**
 * A body's pieces as rows of CHUNK_BYTES (the last one shorter), copying each byte once. Every row is the same buffer,
 * filled again once the consumer asks for the next: a PUT allocates one row, not one per MiB it carries.
 */
async function* rows(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const row = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  for await (const piece of body) {
    for (let offset = 0; offset < piece.byteLength; ) {
      const copied = Buffer.from(piece.buffer, piece.byteOffset + offset, Math.min(piece.byteLength - offset, CHUNK_BYTES - filled)).copy(row, filled);
      filled += copied;
      offset += copied;
      if (filled === CHUNK_BYTES) {
        yield row;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield row.subarray(0, filled);
}

function uploadOf(row: UploadRow): StagedUpload {
  return {
    uploadId: row.upload_id,
    senderOin: row.sender_oin,
    aanleverkenmerk: row.aanleverkenmerk ?? undefined,
    fingerprint: row.fingerprint,
    announcement: row.announcement,
    grootte: Number(row.grootte),
    sha256: row.sha256,
    status: row.status,
    kenmerk: row.kenmerk ?? undefined,
    foutcode: row.foutcode ?? undefined,
    expiresAt: row.expires_at,
  };
}
