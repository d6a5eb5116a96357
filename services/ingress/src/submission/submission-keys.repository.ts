import type { Queryable } from '@poort/message-state';

/**
 * The keys that make a resubmission safe: the aanleverkenmerk (REST and WUS) and the REST Idempotency-Key header.
 * The order of this list is the precedence: the client's explicit key decides before the aanleverkenmerk.
 */
export const SUBMISSION_KEY_KINDS = ['idempotency-key', 'aanleverkenmerk'] as const;
export type SubmissionKeyKind = (typeof SUBMISSION_KEY_KINDS)[number];

export interface SubmissionKey {
  readonly kind: SubmissionKeyKind;
  readonly value: string;
}

/** A key that already belongs to an earlier message of the same sender, within the window. */
export interface EarlierSubmission {
  readonly key: SubmissionKey;
  readonly kenmerk: string;
  readonly fingerprint: string;
}

/** Expired keys one sweep deletes (one per batch of submissions): more than it adds, so the table never outgrows the window. */
const SWEEP_BATCH = 100;
/** A key found taken and then gone before it could be read has just expired; claiming it again settles it. */
const CLAIM_ATTEMPTS = 3;

/**
 * Ingress's table submission_keys (migration 0008): which message each key of a sender belongs to, and the
 * fingerprint of the request that claimed it. Every statement runs in the submission's transaction, so that the
 * keys and the message commit together or not at all.
 */
export class SubmissionKeysRepository {
  constructor(
    /** How long a key keeps its message (INGRESS_IDEMPOTENCY_WINDOW_MS); an older key is free again. */
    readonly windowMs: number,
  ) {}

  /**
   * Claims every key for the message `kenmerk`, in the order given. When one already belongs to an earlier message,
   * the keys claimed before it are given up again and that message is returned: the submission then stores nothing.
   * A key an uncommitted submission is claiming makes this wait on the primary key until that one commits (the key is
   * then taken) or rolls back (the key is then claimed here).
   */
  async claim(tx: Queryable, senderOin: string, keys: readonly SubmissionKey[], fingerprint: string, kenmerk: string): Promise<EarlierSubmission | undefined> {
    const claimed: SubmissionKey[] = [];
    for (const key of keys) {
      const earlier = await this.claimOne(tx, senderOin, key, fingerprint, kenmerk);
      if (earlier) {
        await this.giveUp(tx, senderOin, claimed, kenmerk);
        return earlier;
      }
      claimed.push(key);
    }
    return undefined;
  }

  /**
   * One statement: the key is taken when free, taken over when it expired (older than the window), and otherwise
   * left to the message that holds it, which is then read.
   */
  private async claimOne(tx: Queryable, senderOin: string, key: SubmissionKey, fingerprint: string, kenmerk: string): Promise<EarlierSubmission | undefined> {
    const id = [senderOin, key.kind, key.value];
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const claimed = await tx.query(
        `INSERT INTO submission_keys (sender_oin, key_kind, key, fingerprint, kenmerk) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sender_oin, key_kind, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, kenmerk = EXCLUDED.kenmerk, created_at = now()
           WHERE submission_keys.created_at < now() - $6::float8 * interval '1 millisecond'`,
        [...id, fingerprint, kenmerk, this.windowMs],
      );
      if (claimed.rowCount === 1) return undefined;
      // Read Committed: this statement sees the row of the submission the INSERT waited for.
      const { rows } = await tx.query<{ kenmerk: string; fingerprint: string }>(
        'SELECT kenmerk, fingerprint FROM submission_keys WHERE sender_oin = $1 AND key_kind = $2 AND key = $3',
        id,
      );
      if (rows[0]) return { key, ...rows[0] };
    }
    throw new Error(`submission key ${key.kind} of ${senderOin} could not be claimed or read in ${CLAIM_ATTEMPTS} attempts`);
  }

  /** The keys a submission claimed before one of its keys turned out to be taken: free again. */
  private async giveUp(tx: Queryable, senderOin: string, keys: readonly SubmissionKey[], kenmerk: string): Promise<void> {
    if (keys.length === 0) return;
    await tx.query('DELETE FROM submission_keys WHERE sender_oin = $1 AND key_kind = ANY($2::text[]) AND key = ANY($3::text[]) AND kenmerk = $4', [
      senderOin,
      keys.map((key) => key.kind),
      keys.map((key) => key.value),
      kenmerk,
    ]);
  }

  /**
   * The window's cleanup, done by the submissions themselves: the oldest expired keys go (along the index on
   * created_at). SKIP LOCKED: a key another submission is deleting or claiming is left to it, so this never waits.
   */
  async sweep(tx: Queryable): Promise<void> {
    await tx.query(
      `DELETE FROM submission_keys
        WHERE (sender_oin, key_kind, key) IN (
          SELECT sender_oin, key_kind, key FROM submission_keys
           WHERE created_at < now() - $1::float8 * interval '1 millisecond'
           ORDER BY created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
      [this.windowMs, SWEEP_BATCH],
    );
  }
}
