import { clientIdentityEnv, loadConfigOrExit, operatorEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const ArchiveEnv = z.object({ ...platformEnv, ...clientIdentityEnv, ...operatorEnv });
export type ArchiveConfig = z.infer<typeof ArchiveEnv>;

export const loadArchiveConfig = (): ArchiveConfig => loadConfigOrExit('archive', ArchiveEnv);
