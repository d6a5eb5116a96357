import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const RoutingEnv = z.object({ ...platformEnv, ...messageTypesEnv });
export type RoutingConfig = z.infer<typeof RoutingEnv>;

export const loadRoutingConfig = (): RoutingConfig => loadConfigOrExit('routing', RoutingEnv);
