import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const DeliveryEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
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
