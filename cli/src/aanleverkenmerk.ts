import { createHash } from 'node:crypto';

import { usageError } from './cli-error.js';

/** The koppelvlak's limit of an aanleverkenmerk. */
const MAX_LENGTH = 40;
const DIGEST_LENGTH = 24;
/** Room for the run name, a dash and the digest. */
export const MAX_RUN_LENGTH = MAX_LENGTH - DIGEST_LENGTH - 1;
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A run name: short plain ASCII, so that every aanleverkenmerk it starts fits the koppelvlak's 40 characters. */
export function checkRunName(run: string): string {
  if (run.length === 0 || run.length > MAX_RUN_LENGTH || !RUN_NAME.test(run)) {
    throw usageError('USAGE_RUN_NAME', `--run must be 1–${MAX_RUN_LENGTH} characters of A–Z, a–z, 0–9, '.', '_' and '-', starting with a letter or digit: ${JSON.stringify(run)}`);
  }
  return run;
}

/**
 * The aanleverkenmerk of one file in one run: `<run>-<24 hex digits>`, a digest of the run, the file's path (as the
 * journal names it) and its content's SHA-256. The same file submitted again in the same run, by a resumed run or a
 * retry after a lost answer, has the same aanleverkenmerk, so Poort answers with the first receipt instead of making a
 * second message; two files with the same content but other names are two submissions; changed content is a new one.
 */
export function deriveAanleverkenmerk(run: string, path: string, sha256: string): string {
  const digest = createHash('sha256').update(`poort-cli\0${run}\0${path}\0${sha256}`).digest('hex');
  return `${run}-${digest.slice(0, DIGEST_LENGTH)}`;
}
