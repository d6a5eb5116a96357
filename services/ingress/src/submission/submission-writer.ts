import { Coalescer } from '@poort/batching';
import { STATUS, TOPICS, type Envelope } from '@poort/contracts';
import { CONTENT_AT_ONCE_BYTES, type PayloadMeta, type PayloadStore } from '@poort/payload-store';
import type { UnitOfWork } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';

import type { MessagesRepository } from './messages.repository.js';
import type { EarlierSubmission, SubmissionKey, SubmissionKeysRepository } from './submission-keys.repository.js';

/** A submission that passed every check: what is left is to store it. */
export interface AcceptedSubmission {
  readonly sender: ClientIdentity;
  readonly keys: readonly SubmissionKey[];
  readonly fingerprint: string;
  /** The envelope as it will be stored, without its content and attachments (known once they are stored). */
  readonly envelope: Omit<Envelope, 'content' | 'attachments'>;
  readonly receivedAt: Date;
  /** The content first, then the attachments. */
  readonly files: readonly { readonly bytes: Uint8Array; readonly meta: PayloadMeta }[];
}

/** What storing a submission did: stored a new message, or found one that holds one of its keys. */
export type WriteOutcome = { readonly envelope: Envelope } | { readonly earlier: EarlierSubmission };

/**
 * Writes accepted submissions: keys, content, message record and first events in one transaction, and the
 * submissions that arrive while one transaction is in hand together in the next (group commit), in a few multi-row
 * statements. Nobody gets an answer before the transaction their submission was in has committed. Should a shared
 * transaction fail, each of its submissions is written again on its own (Coalescer), so that one cannot sink the others.
 */
export class SubmissionWriter {
  private readonly batches = new Coalescer<AcceptedSubmission, WriteOutcome>((submissions) => this.writeAll(submissions));

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly payloads: PayloadStore,
    private readonly messages: MessagesRepository,
    private readonly keys: SubmissionKeysRepository,
  ) {}

  async write(submission: AcceptedSubmission): Promise<WriteOutcome> {
    // A large submission gains little from company, and many in one statement would hold all their contents at once.
    if (bytesOf(submission) > CONTENT_AT_ONCE_BYTES) return (await this.writeAll([submission]))[0]!;
    return this.batches.submit(submission);
  }

  private writeAll(submissions: readonly AcceptedSubmission[]): Promise<WriteOutcome[]> {
    return this.unitOfWork.commit(async ({ tx, out }) => {
      // First the keys, in arrival order: a concurrent duplicate waits here, before either has written its content;
      // a duplicate in this very batch finds the key of the one before it.
      const earlier = await this.keys.claimAll(
        tx,
        submissions.map(({ sender, keys, fingerprint, envelope }) => ({ senderOin: sender.oin, keys, fingerprint, kenmerk: envelope.kenmerk })),
      );
      if (submissions.some((submission) => submission.keys.length > 0)) await this.keys.sweep(tx);

      const fresh = submissions.filter((_, index) => !earlier[index]);
      const refs = await this.payloads.putAll(tx, fresh.flatMap((submission) => submission.files));
      let next = 0;
      const envelopes = new Map<AcceptedSubmission, Envelope>();
      for (const submission of fresh) {
        const [content, ...attachments] = refs.slice(next, (next += submission.files.length));
        envelopes.set(submission, { ...submission.envelope, content: content!, attachments });
      }
      await this.messages.insert(tx, [...envelopes.values()]);
      for (const submission of fresh) {
        const envelope = envelopes.get(submission)!;
        out.status(envelope, { code: STATUS.ontvangen, at: submission.receivedAt });
        out.emit(TOPICS.received, { envelope }, submission.receivedAt);
        out.status(envelope, { code: STATUS.aangebodenVoorVerwerking });
      }
      return submissions.map((submission, index) => {
        const found = earlier[index];
        return found ? { earlier: found } : { envelope: envelopes.get(submission)! };
      });
    });
  }
}

const bytesOf = (submission: AcceptedSubmission): number => submission.files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
