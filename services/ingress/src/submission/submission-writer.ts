import { Coalescer } from '@poort/batching';
import { STATUS, TOPICS, type Envelope, type PayloadRef } from '@poort/contracts';
import { CONTENT_AT_ONCE_BYTES, type PayloadMeta, type PayloadStore } from '@poort/payload-store';
import { isRequirementFailed, type Queryable } from '@poort/message-state';
import { Emissions, type UnitOfWork } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';

import type { MessagesRepository } from './messages.repository.js';
import { canClaimAtOnce, type EarlierSubmission, type KeyClaim, type SubmissionKey, type SubmissionKeysRepository } from './submission-keys.repository.js';

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

/**
 * A content that is already staged in Postgres (a Grote Berichten upload): stored into the payload store by the
 * caller, in the message's transaction, which it may also lock and update; it knows the message's kenmerk.
 */
export type StagedContent = (tx: Queryable, kenmerk: string) => Promise<PayloadRef>;

/** A submission whose content is staged: no files in memory. */
export type StagedSubmission = Omit<AcceptedSubmission, 'files'>;

/** A submission whose files are in the payload store already (in the transaction it is written in): its envelope is whole. */
export type StoredSubmission = Omit<AcceptedSubmission, 'files' | 'envelope'> & { readonly envelope: Envelope };

/** What storing a submission did: stored a new message, or found one that holds one of its keys. */
export type WriteOutcome = { readonly envelope: Envelope } | { readonly earlier: EarlierSubmission };

/**
 * Writes accepted submissions: keys, content, message record and first events in one transaction, and the
 * submissions that arrive while one transaction is in hand together in the next (group commit). Nobody gets an answer
 * before the transaction their submission was in has committed. Should a shared transaction fail, each of its
 * submissions is written again on its own (Coalescer), so that one cannot sink the others.
 *
 * Usually the whole transaction is one statement (writeAtOnce): every key claimed, every content, message and event
 * written, or, when one of the keys is taken, nothing. Then the same submissions go step by step (writeInSteps), which
 * finds the earlier messages that hold the taken keys. One statement is one round trip to Postgres instead of seven:
 * on a busy machine, each round trip waits for a core, and the receipt's latency is the sum of those waits.
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

  /**
   * A submission whose content is staged (StagedContent), alone in its transaction: its keys, then its content, its
   * message record and first events, as writeInSteps does for a submission in memory. The content streams from the
   * staging rows into the payload store without being held whole.
   */
  writeStaged(submission: StagedSubmission, content: StagedContent): Promise<WriteOutcome> {
    return this.unitOfWork.commit(async ({ tx, out }) => {
      const [earlier] = await this.keys.claimAll(tx, [claimOf(submission)]);
      if (earlier) return { earlier };
      const envelope: Envelope = { ...submission.envelope, content: await content(tx, submission.envelope.kenmerk), attachments: [] };
      await this.messages.insert(tx, [envelope]);
      emitAccepted(out, envelope, submission.receivedAt);
      return { envelope };
    });
  }

  /**
   * A submission read as its body arrives (a streamed aanleveren): `read` writes its files into the payload store in
   * this transaction and says what the submission is; its keys are claimed after that. When an earlier message holds
   * one of them, the transaction rolls back, files and all, and the outcome is that earlier message.
   */
  async writeStreamed(read: (tx: Queryable) => Promise<StoredSubmission>): Promise<WriteOutcome> {
    try {
      return await this.unitOfWork.commit(async ({ tx, out }) => {
        const submission = await read(tx);
        const [earlier] = await this.keys.claimAll(tx, [claimOf(submission)]);
        if (earlier) throw new HeldByEarlier(earlier);
        await this.messages.insert(tx, [submission.envelope]);
        emitAccepted(out, submission.envelope, submission.receivedAt);
        return { envelope: submission.envelope };
      });
    } catch (error) {
      if (error instanceof HeldByEarlier) return { earlier: error.earlier };
      throw error;
    }
  }

  private async writeAll(submissions: readonly AcceptedSubmission[]): Promise<WriteOutcome[]> {
    const claims = submissions.map(claimOf);
    if (!canClaimAtOnce(claims)) return this.writeInSteps(submissions);
    try {
      return await this.writeAtOnce(submissions, claims);
    } catch (error) {
      if (isRequirementFailed(error)) return this.writeInSteps(submissions);
      throw error;
    }
  }

  private async writeAtOnce(submissions: readonly AcceptedSubmission[], claims: readonly KeyClaim[]): Promise<WriteOutcome[]> {
    const out = new Emissions();
    const envelopes: Envelope[] = [];
    const keyed = claims.some((claim) => claim.keys.length > 0);
    // Beside the statement, on a connection of its own; a sweep that fails is done by a later batch.
    const sweeping = keyed && this.keys.sweepDue() ? this.unitOfWork.commit(({ tx }) => this.keys.sweep(tx)).catch(() => undefined) : undefined;
    // Two texts, so two names: with keys to claim, and without.
    const write = this.unitOfWork.commitStatement(keyed ? 'ingress.submissions' : 'ingress.submissions-without-keys', out, (params) => {
      const claimed = this.keys.claimAllWrite(params, claims);
      const { refs, writes: payloadWrites } = this.payloads.putAllWrites(params, submissions.flatMap((submission) => submission.files));
      let next = 0;
      for (const submission of submissions) {
        const [content, ...attachments] = refs.slice(next, (next += submission.files.length));
        const envelope = { ...submission.envelope, content: content!, attachments };
        envelopes.push(envelope);
        emitAccepted(out, envelope, submission.receivedAt);
      }
      const writes = [...payloadWrites, `messages_put AS (${this.messages.insertWrite(params, envelopes)})`];
      if (claimed === undefined) return { writes };
      return {
        writes: [`keys_claimed AS (${claimed.sql})`, ...writes],
        require: { condition: `(SELECT count(*) FROM keys_claimed) = ${params.add(claimed.keys, 'bigint')}`, problem: 'a submission key is taken' },
      };
    });
    await write;
    await sweeping;
    return envelopes.map((envelope) => ({ envelope }));
  }

  private writeInSteps(submissions: readonly AcceptedSubmission[]): Promise<WriteOutcome[]> {
    return this.unitOfWork.commit(async ({ tx, out }) => {
      // First the keys, in arrival order: a concurrent duplicate waits here, before either has written its content;
      // a duplicate in this very batch finds the key of the one before it.
      const earlier = await this.keys.claimAll(tx, submissions.map(claimOf));
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
      for (const submission of fresh) emitAccepted(out, envelopes.get(submission)!, submission.receivedAt);
      return submissions.map((submission, index) => {
        const found = earlier[index];
        return found ? { earlier: found } : { envelope: envelopes.get(submission)! };
      });
    });
  }
}

const claimOf = ({ sender, keys, fingerprint, envelope }: StagedSubmission): KeyClaim => ({ senderOin: sender.oin, keys, fingerprint, kenmerk: envelope.kenmerk });

/** The first events of an accepted message: received (100), and offered for processing. */
function emitAccepted(out: Emissions, envelope: Envelope, receivedAt: Date): void {
  out.status(envelope, { code: STATUS.ontvangen, at: receivedAt });
  out.emit(TOPICS.received, { envelope }, receivedAt);
  out.status(envelope, { code: STATUS.aangebodenVoorVerwerking });
}

const bytesOf = (submission: AcceptedSubmission): number => submission.files.reduce((sum, file) => sum + file.bytes.byteLength, 0);

/** Rolls a streamed submission's transaction back when one of its keys is an earlier message's. */
class HeldByEarlier extends Error {
  constructor(readonly earlier: EarlierSubmission) {
    super(`submission key ${earlier.key.kind} is held by message ${earlier.kenmerk}`);
  }
}
