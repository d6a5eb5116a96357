import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What `artefacts.json` says about one rule set. */
export interface RuleSetEntry {
  readonly jar: string;
  readonly xslt: string;
  readonly title: string;
}

interface Manifest {
  readonly ruleSets: Readonly<Record<string, RuleSetEntry>>;
}

const manifest = JSON.parse(readFileSync(join(packageDir, 'artefacts.json'), 'utf8')) as Manifest;

export class StandardsError extends Error {
  override readonly name = 'StandardsError';
}

/**
 * Where the fetched artefacts are: POORT_STANDARDS_DIR, else the checkout's `.cache/standards` (made by
 * `scripts/bootstrap.sh`, which runs `libs/standards/scripts/fetch-standards.mjs`).
 */
export function standardsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.POORT_STANDARDS_DIR ?? join(packageDir, '../../.cache/standards'));
}

/** The rule sets Poort knows, by the name message types use in `validation.rules`. */
export const RULE_SET_NAMES: readonly string[] = Object.keys(manifest.ruleSets);

export function ruleSetEntry(name: string): RuleSetEntry {
  const entry = manifest.ruleSets[name];
  if (!entry) throw new StandardsError(`unknown rule set "${name}" (known: ${RULE_SET_NAMES.join(', ')})`);
  return entry;
}

/** A path inside the standards directory; refuses when the fetch step has not run. */
export function standardsFile(relative: string, dir = standardsDir()): string {
  const path = join(dir, relative);
  if (!existsSync(path)) throw new StandardsError(`${path} is missing: run scripts/bootstrap.sh (it fetches the official artefacts)`);
  return path;
}

/** The official OASIS UBL 2.1 Invoice and CreditNote schemas, through the driver the fetch step writes. */
export const UBL_21_SCHEMA = 'ubl-2.1.xsd';
