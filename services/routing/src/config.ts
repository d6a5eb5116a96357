import { clientIdentityEnv, loadConfigOrExit, messageTypesEnv, operatorEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const RoutingEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  // Recipients manage their subscriptions with their certificates; operators manage everyone's.
  ...clientIdentityEnv,
  ...operatorEnv,
  /** How many subscriptions one subscriber (OIN) may have. */
  SUBSCRIPTIONS_MAX_PER_SUBSCRIBER: z.coerce.number().int().positive().max(10_000).default(100),
});
export type RoutingConfig = z.infer<typeof RoutingEnv>;

export const loadRoutingConfig = (): RoutingConfig => loadConfigOrExit('routing', RoutingEnv);
