import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const TransformationEnv = z.object({ ...platformEnv, ...messageTypesEnv });
export type TransformationConfig = z.infer<typeof TransformationEnv>;

export const loadTransformationConfig = (): TransformationConfig => loadConfigOrExit('transformation', TransformationEnv);
