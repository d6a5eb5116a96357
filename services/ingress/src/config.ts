import { clientIdentityEnv, loadConfigOrExit, messageTypesEnv, platformEnv, wusEnv } from '@poort/config';
import { z } from 'zod';

export const IngressEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  ...clientIdentityEnv,
  /** A request body above this is refused before it is parsed (base64 content of 20 MiB is ~27 MiB). */
  INGRESS_MAX_BODY_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024),
  /** Submissions being stored at once; beyond it callers get a retryable 503 instead of a slow collapse. */
  INGRESS_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
  /**
   * How long an aanleverkenmerk or Idempotency-Key keeps its message: a resubmission within it gets the first
   * receipt (or, with other content, a refusal); after it the key is free and the submission a new message.
   */
  INGRESS_IDEMPOTENCY_WINDOW_MS: z.coerce.number().int().positive().default(24 * 60 * 60 * 1000),
  ...wusEnv,
});
export type IngressConfig = z.infer<typeof IngressEnv>;

export const loadIngressConfig = (): IngressConfig => loadConfigOrExit('ingress', IngressEnv);
