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

/** Expired keys one submission deletes: more than it adds (at most two), so the table never outgrows the window. */
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
    if (keys.length === 0) return undefined;
    await tx.query('SAVEPOINT submission_keys');
    for (const key of keys) {
      const earlier = await this.claimOne(tx, senderOin, key, fingerprint, kenmerk);
      if (earlier) {
        await tx.query('ROLLBACK TO SAVEPOINT submission_keys');
        return earlier;
      }
    }
    await tx.query('RELEASE SAVEPOINT submission_keys');
    await this.sweep(tx);
    return undefined;
  }

  private async claimOne(tx: Queryable, senderOin: string, key: SubmissionKey, fingerprint: string, kenmerk: string): Promise<EarlierSubmission | undefined> {
    const id = [senderOin, key.kind, key.value];
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      // A key older than the window no longer counts: it goes, and this submission takes it.
      await tx.query(
        `DELETE FROM submission_keys
          WHERE sender_oin = $1 AND key_kind = $2 AND key = $3 AND created_at < now() - $4::float8 * interval '1 millisecond'`,
        [...id, this.windowMs],
      );
      const inserted = await tx.query(
        `INSERT INTO submission_keys (sender_oin, key_kind, key, fingerprint, kenmerk) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [...id, fingerprint, kenmerk],
      );
      if (inserted.rowCount === 1) return undefined;
      // Read Committed: this statement sees the row of the submission the INSERT waited for.
      const { rows } = await tx.query<{ kenmerk: string; fingerprint: string }>(
        'SELECT kenmerk, fingerprint FROM submission_keys WHERE sender_oin = $1 AND key_kind = $2 AND key = $3',
        id,
      );
      if (rows[0]) return { key, ...rows[0] };
    }
    throw new Error(`submission key ${key.kind} of ${senderOin} could not be claimed or read in ${CLAIM_ATTEMPTS} attempts`);
  }

  /**
   * The window's cleanup, done by the submissions themselves: the oldest expired keys go (along the index on
   * created_at). SKIP LOCKED: a key another submission is deleting or claiming is left to it, so this never waits.
   */
  private async sweep(tx: Queryable): Promise<void> {
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
