import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { durationMs, loadConfigOrExit, messageTypesEnv, platformEnv } from '@poort/config';
import { z } from 'zod';

export const ValidationEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  /**
   * Larger contents are not read into memory: they are checked as a stream (well-formed, no DOCTYPE, document element)
   * and their XSD, business rules and XBRL check do not run; the 301 says so. Default 20 MiB (docs/large-payloads.md).
   */
  VALIDATION_IN_MEMORY_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  /**
   * Worker threads that evaluate business rules (SaxonJS, CPU-bound). Default: one per core, at most 4; each thread
   * holds the compiled rule sets it used (tens of MB each).
   */
  VALIDATION_RULES_THREADS: z.coerce.number().int().positive().max(64).default(Math.max(1, Math.min(availableParallelism(), 4))),
  /**
   * Larger documents are rejected (311) without evaluating their rules. 8 MiB: SaxonJS takes about 9 s per MB of
   * invoice lines, less for a document whose bulk is an embedded PDF.
   */
  VALIDATION_RULES_MAX_BYTES: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  /**
   * Evaluation time of one rule set on one document; longer, it is stopped and the document rejected (311). 120 s: a
   * ~7 MB invoice takes about 45 s of a core under SI-UBL (bench/RESULTS.md). The consumer keeps heartbeating
   * meanwhile (libs/kafka), so a run may outlast the Kafka session timeout.
   */
  VALIDATION_RULES_TIME_LIMIT_MS: durationMs.default(120_000),
  /**
   * Arelle's web service run beside the service (in Kubernetes a sidecar on localhost, e.g. http://127.0.0.1:8099),
   * for message types with XBRL taxonomy packages. Absent: the service runs its own from VALIDATION_ARELLE_COMMAND.
   */
  VALIDATION_ARELLE_URL: z.url().optional(),
  /** Arelle's command line; the default is where scripts/bootstrap.sh installs it (.tools/arelle). */
  VALIDATION_ARELLE_COMMAND: z.string().min(1).default(join(import.meta.dirname, '../../../../.tools/arelle/bin/arelleCmdLine')),
  /**
   * The time Arelle has for one filing; past it the filing's validation is a technical failure (retried, then 321).
   */
  VALIDATION_XBRL_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
});
export type ValidationConfig = z.infer<typeof ValidationEnv>;

export const loadValidationConfig = (): ValidationConfig => loadConfigOrExit('validation', ValidationEnv);
