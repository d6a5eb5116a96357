import { clientIdentityEnv, loadConfigOrExit, messageTypesEnv, operatorEnv, platformEnv, wusEnv } from '@poort/config';
import { Duration } from '@poort/message-types';
import { z } from 'zod';

import type { LoadLimits } from './chain-load/load-policy.js';

export const IngressEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  ...clientIdentityEnv,
  /** A request body above this is refused before it is parsed (base64 content of 20 MiB is ~27 MiB). */
  INGRESS_MAX_BODY_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024),
  /**
   * A REST aanleveren body of at least this many bytes (by its Content-Length; a chunked one is read whole) is read as a
   * stream, its inhoud decoded straight into the payload store, instead of parsed whole (streamed-aanlevering.ts).
   */
  INGRESS_STREAMED_BODY_FROM_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  /**
   * The largest content or attachment in a request itself (REST, WUS, bulk): Digipoort's 20 MiB by default, above which
   * Digikoppeling asks for Grote Berichten unless the parties agree otherwise. Raising it needs INGRESS_MAX_BODY_BYTES
   * raised too (base64 is 4/3 of the bytes); a REST body from INGRESS_STREAMED_BODY_FROM_BYTES streams whatever its size.
   */
  INGRESS_IN_BAND_MAX_BYTES: z.coerce.number().int().positive().max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
  /** Submissions being stored at once; beyond it callers get a retryable 503 instead of a slow collapse. */
  INGRESS_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
  /**
   * How long an aanleverkenmerk or Idempotency-Key keeps its message: a resubmission within it gets the first
   * receipt (or, with other content, a refusal); after it the key is free and the submission a new message.
   */
  INGRESS_IDEMPOTENCY_WINDOW_MS: z.coerce.number().int().positive().default(24 * 60 * 60 * 1000),
  /**
   * Back-pressure (README, "Busy answers"): submissions are refused as busy while a hop of the message path is more
   * than INGRESS_BUSY_MAX_LAG events behind, or more than INGRESS_BUSY_MAX_OUTBOX events wait in the outbox (0: not
   * looked at), and accepted again once both are down to INGRESS_BUSY_RESUME_RATIO of their limit.
   */
  INGRESS_BUSY_MAX_LAG: z.coerce.number().int().nonnegative().default(20_000),
  INGRESS_BUSY_MAX_OUTBOX: z.coerce.number().int().nonnegative().default(20_000),
  INGRESS_BUSY_RESUME_RATIO: z.coerce.number().gt(0).lt(1).default(0.5),
  INGRESS_BUSY_SAMPLE_INTERVAL_MS: z.coerce.number().int().positive().default(2_000),
  INGRESS_BUSY_RETRY_AFTER_MIN_S: z.coerce.number().int().positive().default(5),
  INGRESS_BUSY_RETRY_AFTER_MAX_S: z.coerce.number().int().positive().default(120),
  ...wusEnv,
  ...operatorEnv,
  /** Bulk aanleveren (docs/bulk.md): items in one bulk; the bulk is cut short after them. */
  INGRESS_BULK_MAX_ITEMS: z.coerce.number().int().positive().default(10_000),
  /** A bulk line (one item) longer than this is refused on its own, without being held. */
  INGRESS_BULK_MAX_LINE_BYTES: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  /** A bulk body larger than this is refused (Content-Length) or cut short where it passes it (chunked). */
  INGRESS_BULK_MAX_BYTES: z.coerce.number().int().positive().default(1024 * 1024 * 1024),
  /** How long a bulk's record (its items' answers, for GET /api/v1/bulk/{bulkId}) is kept; its messages live on. */
  INGRESS_BULK_RETENTION_MS: z.coerce.number().int().positive().default(7 * 24 * 60 * 60 * 1000),
  /** Items of one bulk being stored at once (they share the writer's transactions). */
  INGRESS_BULK_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /**
   * Digikoppeling Grote Berichten (docs/grote-berichten.md): the largest file Poort takes, beside each message type's
   * content.maxBytes (the smaller of the two counts).
   */
  GROTE_BERICHTEN_MAX_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024 * 1024),
  /** How long an announced upload may take to complete (500ms, 30s, 5m, 24h, 7d, or milliseconds); then it expires. */
  GROTE_BERICHTEN_EXPIRY: z.union([z.string().regex(/^\d+$/).transform(Number), z.string()]).pipe(Duration).default(24 * 60 * 60 * 1000),
  /** How often the sweeper marks expired uploads verlopen and deletes their parts. */
  GROTE_BERICHTEN_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
});
export type IngressConfig = z.infer<typeof IngressEnv>;

export function loadLimitsOf(config: IngressConfig): LoadLimits {
  return {
    maxLag: config.INGRESS_BUSY_MAX_LAG,
    maxBacklog: config.INGRESS_BUSY_MAX_OUTBOX,
    resumeRatio: config.INGRESS_BUSY_RESUME_RATIO,
    retryAfter: { minSeconds: config.INGRESS_BUSY_RETRY_AFTER_MIN_S, maxSeconds: Math.max(config.INGRESS_BUSY_RETRY_AFTER_MIN_S, config.INGRESS_BUSY_RETRY_AFTER_MAX_S) },
  };
}

export const loadIngressConfig = (): IngressConfig => loadConfigOrExit('ingress', IngressEnv);
