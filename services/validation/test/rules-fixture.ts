import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MessageCatalog } from '@poort/message-types';
import { stringify } from 'yaml';

import { RulesPool } from '../src/rules/rules-pool.js';
import type { RulesLimits } from '../src/rules/rules-limits.js';
import { MessageValidator } from '../src/validation/message-validator.js';
import { SchemaValidator } from '../src/validation/schema-validator.js';
import { XbrlValidator } from '../src/validation/xbrl/xbrl-validator.js';

export const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
export const STANDARDS = process.env.POORT_STANDARDS_DIR ?? join(ROOT, '.cache/standards');

export const UBL_ROOTS = [
  '{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice',
  '{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote',
];

/**
 * The shipped configuration plus message types of the test's own (berichtsoort → rule sets), each on the official
 * UBL 2.1 schemas and taking an invoice or a credit note.
 */
export function configWithRuleTypes(types: Readonly<Record<string, readonly string[]>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'poort-rules-config-'));
  cpSync(join(ROOT, 'config'), dir, { recursive: true });
  mkdirSync(join(dir, 'message-types'), { recursive: true });
  for (const [berichtsoort, rules] of Object.entries(types)) {
    writeFileSync(
      join(dir, 'message-types', `test-${berichtsoort}.yaml`),
      stringify({
        berichtsoort,
        description: `test type with rule sets ${rules.join(', ')}`,
        authorization: { allowedSenders: ['00000099000000000001'] },
        validation: { schema: 'standard:ubl-2.1.xsd', rootElement: UBL_ROOTS, rules },
        routing: { routes: [{ recipient: 'belastingdienst' }] },
      }),
    );
  }
  return dir;
}

/** The validation service's validator over a configuration, with its own pool of rule threads. */
export function validatorFor(configDir: string, limits: RulesLimits, threads = 2): { validator: MessageValidator; close: () => Promise<void> } {
  const catalog = MessageCatalog.load(configDir, {});
  const schemas = new SchemaValidator(catalog);
  const pool = new RulesPool({ threads, limits });
  return {
    // No test type of these has a taxonomy package: the XBRL step never needs Arelle.
    validator: new MessageValidator(catalog, schemas, pool, new XbrlValidator(catalog, undefined)),
    close: async () => {
      await pool.close();
      schemas[Symbol.dispose]();
    },
  };
}
