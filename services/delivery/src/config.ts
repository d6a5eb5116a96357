import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const DeliveryEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  /** How often the worker looks for due retries when nothing woke it. */
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /** Deliveries attempted at once by one process. */
  DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(16),
});
export type DeliveryConfig = z.infer<typeof DeliveryEnv>;

export const loadDeliveryConfig = (): DeliveryConfig => loadConfigOrExit('delivery', DeliveryEnv);
