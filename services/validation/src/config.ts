import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const ValidationEnv = z.object({ ...platformEnv, ...messageTypesEnv });
export type ValidationConfig = z.infer<typeof ValidationEnv>;

export const loadValidationConfig = (): ValidationConfig => loadConfigOrExit('validation', ValidationEnv);
