import { join } from 'node:path';

import { loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const ValidationEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  /**
   * Arelle's web service run beside the service (in Kubernetes a sidecar on localhost, e.g. http://127.0.0.1:8099),
   * for message types with XBRL taxonomy packages. Absent: the service runs its own from VALIDATION_ARELLE_COMMAND.
   */
  VALIDATION_ARELLE_URL: z.url().optional(),
  /** Arelle's command line; the default is where scripts/bootstrap.sh installs it (.tools/arelle). */
  VALIDATION_ARELLE_COMMAND: z.string().min(1).default(join(import.meta.dirname, '../../../../.tools/arelle/bin/arelleCmdLine')),
  /**
   * The time Arelle has for one filing; past it the filing's validation is a technical failure (retried, then 321).
   * Below the Kafka session timeout (30 s): the stage does not heartbeat while it waits for Arelle.
   */
  VALIDATION_XBRL_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
});
export type ValidationConfig = z.infer<typeof ValidationEnv>;

export const loadValidationConfig = (): ValidationConfig => loadConfigOrExit('validation', ValidationEnv);
