import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const AuthorizationEnv = z.object({ ...platformEnv, ...messageTypesEnv });
export type AuthorizationConfig = z.infer<typeof AuthorizationEnv>;

export const loadAuthorizationConfig = (): AuthorizationConfig => loadConfigOrExit('authorization', AuthorizationEnv);
