import { StatementParams, prepared, type Queryable } from '@poort/message-state';

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

/** The keys one submission claims for its message. */
export interface KeyClaim {
  readonly senderOin: string;
  readonly keys: readonly SubmissionKey[];
  readonly fingerprint: string;
  readonly kenmerk: string;
}

/** Expired keys one sweep deletes: more than a batch of submissions adds, so the table never outgrows the window. */
const SWEEP_BATCH = 100;
/**
 * A sweep that found fewer than SWEEP_BATCH expired keys has caught up: the next one can wait this long (or the window,
 * if that is shorter), as the keys that expire meanwhile are no more than a few batches' worth.
 */
const SWEEP_REST_MS = 1_000;
/** A key found taken and then gone before it could be read has just expired; claiming it again settles it. */
const CLAIM_ATTEMPTS = 3;

/**
 * Ingress's table submission_keys (migration 0008): which message each key of a sender belongs to, and the
 * fingerprint of the request that claimed it. Every statement runs in the submission's transaction, so that the
 * keys and the message commit together or not at all.
 */
export class SubmissionKeysRepository {
  private nextSweepAt = 0;

  constructor(
    /** How long a key keeps its message (INGRESS_IDEMPOTENCY_WINDOW_MS); an older key is free again. */
    readonly windowMs: number,
  ) {}

  /**
   * claim() for the submissions of one transaction, in their order, as one statement when no two of them share a key
   * (the usual case): all keys are claimed at once, and only a submission that found one of its keys taken reads its
   * holder and gives its other keys up again, which is what claim() would have done. Submissions that share a key, or
   * a holder that expired before it could be read, go through claim() one by one.
   */
  async claimAll(tx: Queryable, claims: readonly KeyClaim[]): Promise<(EarlierSubmission | undefined)[]> {
    if (!canClaimAtOnce(claims)) return this.claimEach(tx, claims);
    const params = new StatementParams();
    const write = this.claimAllWrite(params, claims);
    if (write === undefined) return claims.map(() => undefined);
    const { rows: claimed } = await tx.query<{ sender_oin: string; key_kind: string; key: string }>(prepared('submission-keys.claim-all', write.sql, params.values));
    const won = new Set(claimed.map((row) => rowId(row)));
    const lost = claims.filter((claim) => claim.keys.some((key) => !won.has(keyId(claim.senderOin, key))));
    if (lost.length === 0) return claims.map(() => undefined);

    // Read Committed: this statement sees the rows of the submissions the INSERT waited for.
    const takenKeys = lost.flatMap((claim) => claim.keys.filter((key) => !won.has(keyId(claim.senderOin, key))).map((key) => ({ claim, key })));
    const { rows: holders } = await tx.query<{ sender_oin: string; key_kind: string; key: string; kenmerk: string; fingerprint: string }>(
      `SELECT sender_oin, key_kind, key, kenmerk, fingerprint FROM submission_keys
        WHERE (sender_oin, key_kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
      [takenKeys.map((taken) => taken.claim.senderOin), takenKeys.map((taken) => taken.key.kind), takenKeys.map((taken) => taken.key.value)],
    );
    const holderOf = new Map(holders.map((row) => [rowId(row), row]));
    const outcomes = new Map<KeyClaim, EarlierSubmission | undefined>();
    for (const claim of lost) {
      // The first of its keys (in precedence order) that another message holds decides, as in claim().
      const key = claim.keys.find((candidate) => !won.has(keyId(claim.senderOin, candidate)))!;
      const holder = holderOf.get(keyId(claim.senderOin, key));
      await this.giveUp(tx, claim.senderOin, claim.keys.filter((candidate) => won.has(keyId(claim.senderOin, candidate))), claim.kenmerk);
      // Gone before it could be read (it had just expired): claim() settles that key again.
      outcomes.set(claim, holder ? { key, kenmerk: holder.kenmerk, fingerprint: holder.fingerprint } : await this.claim(tx, claim.senderOin, claim.keys, claim.fingerprint, claim.kenmerk));
    }
    return claims.map((claim) => outcomes.get(claim));
  }

  /**
   * The INSERT that claims every key of `claims` at once (for claims that canClaimAtOnce), `RETURNING` the keys it
   * won, and how many keys there are; undefined when there are none.
   */
  claimAllWrite(params: StatementParams, claims: readonly KeyClaim[]): { sql: string; keys: number } | undefined {
    const rows = claims.flatMap((claim) => claim.keys.map((key) => ({ claim, key })));
    if (rows.length === 0) return undefined;
    // In one order (the primary key's), so that two transactions claiming the same keys cannot deadlock.
    const sql = `INSERT INTO submission_keys (sender_oin, key_kind, key, fingerprint, kenmerk)
         SELECT * FROM unnest(${params.add(rows.map((row) => row.claim.senderOin), 'text[]')}, ${params.add(rows.map((row) => row.key.kind), 'text[]')},
                              ${params.add(rows.map((row) => row.key.value), 'text[]')}, ${params.add(rows.map((row) => row.claim.fingerprint), 'text[]')},
                              ${params.add(rows.map((row) => row.claim.kenmerk), 'text[]')}) AS k(sender_oin, key_kind, key, fingerprint, kenmerk)
          ORDER BY sender_oin, key_kind, key
         ON CONFLICT (sender_oin, key_kind, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, kenmerk = EXCLUDED.kenmerk, created_at = now()
           WHERE submission_keys.created_at < now() - ${params.add(this.windowMs, 'float8')} * interval '1 millisecond'
         RETURNING sender_oin, key_kind, key`;
    return { sql, keys: rows.length };
  }

  private async claimEach(tx: Queryable, claims: readonly KeyClaim[]): Promise<(EarlierSubmission | undefined)[]> {
    const outcomes: (EarlierSubmission | undefined)[] = [];
    for (const claim of claims) outcomes.push(claim.keys.length > 0 ? await this.claim(tx, claim.senderOin, claim.keys, claim.fingerprint, claim.kenmerk) : undefined);
    return outcomes;
  }

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

  sweepDue(): boolean {
    return Date.now() >= this.nextSweepAt;
  }

  /**
   * The window's cleanup, done by the submissions themselves: the oldest expired keys go (along the index on
   * created_at). SKIP LOCKED: a key another submission is deleting or claiming is left to it, so this never waits.
   * Every batch while expired keys pile up, otherwise at most once a second: a sweep that finds nothing still costs a
   * statement in the submissions' transaction.
   */
  async sweep(tx: Queryable): Promise<void> {
    if (!this.sweepDue()) return;
    const { rowCount } = await tx.query(
      `DELETE FROM submission_keys
        WHERE (sender_oin, key_kind, key) IN (
          SELECT sender_oin, key_kind, key FROM submission_keys
           WHERE created_at < now() - $1::float8 * interval '1 millisecond'
           ORDER BY created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
      [this.windowMs, SWEEP_BATCH],
    );
    this.nextSweepAt = (rowCount ?? 0) < SWEEP_BATCH ? Date.now() + Math.min(SWEEP_REST_MS, this.windowMs) : 0;
  }
}

/** Whether claimAllWrite can claim these at once: no two of them share a key (the usual case). */
export function canClaimAtOnce(claims: readonly KeyClaim[]): boolean {
  const ids = claims.flatMap((claim) => claim.keys.map((key) => keyId(claim.senderOin, key)));
  return new Set(ids).size === ids.length;
}

const keyId = (senderOin: string, key: SubmissionKey): string => `${senderOin}\u0000${key.kind}\u0000${key.value}`;
const rowId = (row: { sender_oin: string; key_kind: string; key: string }): string =>
  keyId(row.sender_oin, { kind: row.key_kind as SubmissionKeyKind, value: row.key });
