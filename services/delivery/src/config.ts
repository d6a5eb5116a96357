import { clientIdentityEnv, loadConfigOrExit, messageTypesEnv, platformEnv, secret, wusEnv } from '@poort/config';
import { z } from 'zod';

export const DeliveryEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  // Recipients call delivery with their certificates (zetStatus, their mailboxes); its WUS endpoints sign as ingress's do.
  ...clientIdentityEnv,
  ...wusEnv,
  /**
   * Poort's client certificate and key towards recipients (two-way TLS), unless a recipient's profile names its own;
   * default: the service's own TLS certificate. Recipients' servers are trusted by TLS_CA_FILE.
   */
  DELIVERY_CLIENT_CERT_FILE: z.string().min(1).optional(),
  DELIVERY_CLIENT_KEY_FILE: secret(z.string().min(1).optional()),
  /** How often the worker looks for due retries when nothing woke it. */
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * Deliveries attempted at once by one process, in one round (leased, pushed and recorded together): larger rounds
   * cost less per delivery (bench/RESULTS.md).
   */
  DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /** Of those, at most this many to one recipient: the requests one process has open at a recipient. */
  DELIVERY_CONCURRENCY_PER_RECIPIENT: z.coerce.number().int().positive().default(32),
});
export type DeliveryConfig = z.infer<typeof DeliveryEnv>;

export const loadDeliveryConfig = (): DeliveryConfig => loadConfigOrExit('delivery', DeliveryEnv);
