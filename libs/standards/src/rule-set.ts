import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { StandardsError, ruleSetEntry, standardsDir, standardsFile } from './standards-dir.js';

/** A rule set whose compiled form (SEF) is on disk and belongs to the shipped XSLT. */
export interface RuleSet {
  readonly name: string;
  readonly title: string;
  readonly sefPath: string;
}

/**
 * Checks at start-up that the SEF was compiled from exactly the pinned XSLT (the stamp the fetch step wrote), so a
 * stale or half-written compilation stops the service instead of judging invoices by other rules.
 */
export function resolveRuleSet(name: string, dir = standardsDir()): RuleSet {
  const entry = ruleSetEntry(name);
  const sefPath = standardsFile(join('sef', `${name}.sef.json`), dir);
  const [stampedHash] = readFileSync(standardsFile(join('sef', `${name}.sef.json.stamp`), dir), 'utf8').split(' ');
  const xsltHash = createHash('sha256').update(readFileSync(standardsFile(join(entry.jar, entry.xslt), dir))).digest('hex');
  if (stampedHash !== xsltHash) throw new StandardsError(`rule set ${name}: ${sefPath} was compiled from another XSLT; run scripts/bootstrap.sh`);
  return { name, title: entry.title, sefPath };
}
