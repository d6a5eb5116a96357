import { randomUUID } from 'node:crypto';

import { FOUTCODE, Refusal, type AanleverResponse, type PayloadRef } from '@poort/contracts';
import type { Queryable } from '@poort/message-state';
import {
  BodyLongerThanRangeError, PayloadTooLargeError, UploadClosedError, missingRanges, type PayloadStore, type StagedUpload, type StagedUploads, type UploadStatus,
} from '@poort/payload-store';
import type { ClientIdentity } from '@poort/pki';

import { requestFingerprint } from '../submission/request-fingerprint.js';
import type { SubmissionAdmission } from '../submission/submission-admission.js';
import { notKoppelvlak, type SubmissionService } from '../submission/submission.service.js';
import { Aankondiging, type UploadState } from './aankondiging.dto.js';
import { parseContentRange } from './content-range.js';
import type { GroteBerichtenMetrics } from './grote-berichten.metrics.js';

export const GROTE_BERICHTEN_PATH = '/api/v1/grote-berichten';

export interface GroteBerichtenLimits {
  /** GROTE_BERICHTEN_MAX_BYTES: the largest file, beside the message type's content.maxBytes. */
  readonly maxBytes: number;
  /** GROTE_BERICHTEN_EXPIRY: how long an upload may take from its announcement. */
  readonly expiryMs: number;
}

/** What a PUT did: stored its bytes (the file is not complete yet), or completed the file into a message. */
export type PutOutcome = { readonly completed: false; readonly state: UploadState } | { readonly completed: true; readonly receipt: AanleverResponse };

/** A PUT's body and what its headers say of it. */
export interface UploadPart {
  readonly contentRange: string | readonly string[] | undefined;
  readonly contentLength: number | undefined;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The file as received does not match its announcement: Digikoppeling's PUSH status for it. */
type FileMismatch = 'CHECKSUM_ERROR' | 'INCORRECT_FILE_SIZE';

class FileMismatchError extends Error {
  constructor(
    readonly code: FileMismatch,
    message: string,
  ) {
    super(message);
  }
}

class AlreadyFinishedError extends Error {
  constructor(readonly upload: StagedUpload) {
    super(`upload ${upload.uploadId} is already ${upload.status}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Digikoppeling Grote Berichten, the sender side (docs/grote-berichten.md): a sender announces a large file with the
 * envelope of an aanleveren, uploads it in byte ranges in any order (resuming from what GET says is missing), and the
 * PUT that fills the last gap turns it into an ordinary message: its SHA-256 and size are checked as it streams from
 * the staged parts into the payload store, in the transaction of the message and its first events
 * (SubmissionService.submitStaged). Announcements are idempotent per sender and aanleverkenmerk.
 */
export class GroteBerichtenService {
  constructor(
    private readonly submissions: SubmissionService,
    private readonly uploads: StagedUploads,
    private readonly payloads: PayloadStore,
    private readonly admission: SubmissionAdmission,
    private readonly limits: GroteBerichtenLimits,
    private readonly metrics: GroteBerichtenMetrics,
  ) {}

  /** A new upload (`created`), or the one the sender announced before under the same aanleverkenmerk. */
  async announce(sender: ClientIdentity, request: unknown): Promise<{ readonly state: UploadState; readonly created: boolean }> {
    const release = this.admission.admit();
    try {
      const parsed = Aankondiging.safeParse(request);
      if (!parsed.success) throw notKoppelvlak(parsed.error);
      const { bestand } = parsed.data;
      const type = this.submissions.messageTypeOf(parsed.data);
      if (!type.content.mimeTypes.includes(bestand.mimeType)) {
        throw refuse('unsupported-media-type', `mimeType ${bestand.mimeType} wordt niet geaccepteerd voor ${type.berichtsoort} (toegestaan: ${type.content.mimeTypes.join(', ')})`);
      }
      const maxBytes = Math.min(type.content.maxBytes, this.limits.maxBytes);
      if (bestand.grootte > maxBytes) throw refuse('too-large', `${bestand.bestandsnaam} is groter dan ${maxBytes} bytes, het maximum voor ${type.berichtsoort}`);

      const fingerprint = requestFingerprint(parsed.data);
      const { upload, created } = await this.uploads.announce({
        uploadId: randomUUID(),
        senderOin: sender.oin,
        aanleverkenmerk: parsed.data.aanleverkenmerk,
        fingerprint,
        announcement: parsed.data,
        grootte: bestand.grootte,
        sha256: bestand.sha256,
        expiresAt: new Date(Date.now() + this.limits.expiryMs),
      });
      if (!created && upload.fingerprint !== fingerprint) {
        throw new Refusal(
          FOUTCODE.interfaceSpecificatie,
          'conflict',
          `het aanleverkenmerk ${upload.aanleverkenmerk} is al gebruikt voor een ander groot bericht; kondig precies hetzelfde opnieuw aan of gebruik een nieuw aanleverkenmerk`,
        );
      }
      if (created) this.metrics.count('announced');
      return { state: await this.stateOf(upload), created };
    } finally {
      release();
    }
  }

  async state(sender: ClientIdentity, uploadId: string): Promise<UploadState> {
    return this.stateOf(await this.find(sender, uploadId));
  }

  /**
   * Stores a PUT's bytes where its Content-Range says (the newest bytes win over earlier ones in the same place), and
   * completes the upload when no byte is missing any more.
   */
  async put(sender: ClientIdentity, uploadId: string, part: UploadPart): Promise<PutOutcome> {
    const upload = await this.find(sender, uploadId);
    if (upload.status === 'voltooid') return { completed: true, receipt: await this.receiptOf(upload) };
    refuseUnlessOpen(upload.status, upload);
    if (upload.expiresAt.getTime() <= Date.now()) throw expired(upload);
    const range = parseContentRange(part.contentRange, upload.grootte);
    const length = range.end - range.start + 1;
    if (part.contentLength !== undefined && part.contentLength !== length) {
      throw new Refusal('UPLOAD_BODY_LENGTH_MISMATCH', 'invalid', `the body has ${part.contentLength} bytes (Content-Length); its range bytes ${range.start}-${range.end} has ${length}`);
    }

    const release = this.admission.admit();
    try {
      let written: number;
      try {
        written = await this.uploads.writeRange(upload.uploadId, range.start, length, this.counted(part.body));
      } catch (error) {
        // Completed meanwhile by a PUT that raced this one: its receipt is this PUT's answer too.
        if (error instanceof UploadClosedError && error.status === 'voltooid') return { completed: true, receipt: await this.receiptOf(await this.find(sender, uploadId)) };
        if (error instanceof UploadClosedError) refuseUnlessOpen(error.status, upload);
        if (error instanceof BodyLongerThanRangeError) {
          throw new Refusal('UPLOAD_BODY_TOO_LONG', 'invalid', `the body is longer than its range bytes ${range.start}-${range.end} (${length} bytes); the bytes within the range are kept`);
        }
        throw error;
      }
      if (written < length) {
        throw new Refusal(
          'UPLOAD_BODY_INCOMPLETE',
          'invalid',
          `the body ended after ${written} of the ${length} bytes of its range bytes ${range.start}-${range.end}; the bytes that came are kept: GET ${locationOf(upload)} says what is missing`,
          { ontvangen: written, verwacht: length },
        );
      }
      const state = await this.stateOf(upload);
      if (state.ontbrekend.length > 0) {
        // Bytes seem missing also when a PUT that raced this one completed the file (its parts go with that commit):
        // the upload's status, read after the parts, tells.
        const now = await this.find(sender, uploadId);
        return now.status === 'voltooid' ? { completed: true, receipt: await this.receiptOf(now) } : { completed: false, state };
      }
      return { completed: true, receipt: await this.complete(sender, upload) };
    } finally {
      release();
    }
  }

  /**
   * The file into the payload store and the message, in one transaction that holds the upload's row lock: of two
   * PUTs completing at once, the second waits and then finds the upload voltooid, and answers with the same receipt.
   */
  private async complete(sender: ClientIdentity, upload: StagedUpload): Promise<AanleverResponse> {
    const { bestand, ...envelope } = Aankondiging.parse(upload.announcement);
    let stored = false;
    try {
      const receipt = await this.submissions.submitStaged(sender, envelope, upload.fingerprint, async (tx, kenmerk) => {
        const ref = await this.store(tx, upload, bestand);
        await this.uploads.finish(tx, upload.uploadId, kenmerk);
        stored = true;
        return ref;
      });
      // Its aanleverkenmerk already holds this message (a completion that committed meanwhile): settle the upload on it.
      if (!stored) await this.uploads.settle(upload.uploadId, receipt.kenmerk);
      else this.metrics.count('completed');
      return receipt;
    } catch (error) {
      if (error instanceof AlreadyFinishedError) {
        if (error.upload.status === 'voltooid') return this.receiptOf(error.upload);
        refuseUnlessOpen(error.upload.status, error.upload);
      }
      if (error instanceof FileMismatchError) {
        await this.uploads.fail(upload.uploadId, error.code);
        this.metrics.count('failed');
        throw new Refusal(error.code, 'unprocessable', `${error.message}; the upload failed and its bytes are deleted: announce the file again`);
      }
      throw error;
    }
  }

  /** The staged bytes, in order, into the payload store, checked against the announced size and SHA-256. */
  private async store(tx: Queryable, upload: StagedUpload, bestand: Aankondiging['bestand']): Promise<PayloadRef> {
    const locked = await this.uploads.lock(tx, upload.uploadId);
    if (locked.status !== 'open') throw new AlreadyFinishedError(locked);
    let ref: PayloadRef;
    try {
      ref = await this.payloads.put(tx, this.uploads.content(tx, upload.uploadId), { mimeType: bestand.mimeType, bestandsnaam: bestand.bestandsnaam }, upload.grootte);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) throw new FileMismatchError('INCORRECT_FILE_SIZE', `the file received is larger than the announced ${upload.grootte} bytes`);
      throw error;
    }
    if (ref.size !== upload.grootte) throw new FileMismatchError('INCORRECT_FILE_SIZE', `the file received has ${ref.size} bytes, not the announced ${upload.grootte}`);
    if (ref.sha256 !== upload.sha256) throw new FileMismatchError('CHECKSUM_ERROR', `the SHA-256 of the file received is ${ref.sha256}, not the announced ${upload.sha256}`);
    return ref;
  }

  private async find(sender: ClientIdentity, uploadId: string): Promise<StagedUpload> {
    const upload = UUID.test(uploadId) ? await this.uploads.find(uploadId.toLowerCase(), sender.oin) : undefined;
    if (!upload) throw new Refusal('UPLOAD_NOT_FOUND', 'not-found', `no upload ${uploadId.slice(0, 100)} of this sender`);
    return upload;
  }

  private async stateOf(upload: StagedUpload): Promise<UploadState> {
    const ontvangen = upload.status === 'open' ? await this.uploads.received(upload.uploadId) : upload.status === 'voltooid' ? [{ start: 0, end: upload.grootte - 1 }] : [];
    const verlopen = upload.status === 'open' && upload.expiresAt.getTime() <= Date.now();
    return {
      uploadId: upload.uploadId,
      location: locationOf(upload),
      status: verlopen ? 'verlopen' : upload.status,
      grootte: upload.grootte,
      verlooptOp: upload.expiresAt.toISOString(),
      ontvangen,
      ontbrekend: upload.status === 'voltooid' ? [] : missingRanges(ontvangen, upload.grootte),
      ...(upload.kenmerk ? { kenmerk: upload.kenmerk } : {}),
      ...(upload.foutcode ? { foutcode: upload.foutcode } : {}),
    };
  }

  private async receiptOf(upload: StagedUpload): Promise<AanleverResponse> {
    const receipt = upload.kenmerk === undefined ? undefined : await this.submissions.receiptOf(upload.kenmerk);
    // The upload and its message commit together, so this is a bug.
    if (!receipt) throw new Error(`upload ${upload.uploadId} is voltooid without its message ${String(upload.kenmerk)}`);
    return receipt;
  }

  private async *counted(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const piece of body) {
      this.metrics.bytesReceived.inc(piece.byteLength);
      yield piece;
    }
  }
}

export const locationOf = (upload: Pick<StagedUpload, 'uploadId'>): string => `${GROTE_BERICHTEN_PATH}/${upload.uploadId}`;

const refuse = (kind: Refusal['kind'], message: string) => new Refusal(FOUTCODE.interfaceSpecificatie, kind, message);

const expired = (upload: StagedUpload) =>
  new Refusal('UPLOAD_EXPIRED', 'gone', `upload ${upload.uploadId} expired at ${upload.expiresAt.toISOString()} before it was complete; announce the file again`);

/** An upload that takes no more bytes: expired (410), or failed its check (409, with Digikoppeling's code). */
function refuseUnlessOpen(status: UploadStatus, upload: StagedUpload): void {
  if (status === 'open') return;
  if (status === 'verlopen') throw expired(upload);
  if (status === 'mislukt') {
    throw new Refusal('UPLOAD_FAILED', 'conflict', `upload ${upload.uploadId} failed (${upload.foutcode ?? 'its check'}) and takes no more bytes; announce the file again`, {
      foutcode: upload.foutcode,
    });
  }
  throw new Refusal('UPLOAD_COMPLETED', 'conflict', `upload ${upload.uploadId} is already complete`);
}
