import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { CompiledRules, RulesExecutionError, StandardsError, resolveRuleSet, standardsDir } from '../src/index.js';

const siUbl = join(standardsDir(), 'tests-simplerinvoicing/external/test-files/simplerinvoicing/SI-UBL-2.0.3.2');

describe('CompiledRules (SI-UBL 2.0 under SaxonJS)', () => {
  const rules = new CompiledRules(resolveRuleSet('si-ubl-2.0'));

  it('finds no error in an official "ok" file', () => {
    const report = rules.evaluate(readFileSync(join(siUbl, 'SI-UBL-2.0_BR-NL-10_ok_both_nl.xml'), 'utf8'));
    assert.deepEqual(report.errors, []);
  });

  it('names the failed rule, where it fired and its text for an official "error" file', () => {
    const report = rules.evaluate(readFileSync(join(siUbl, 'SI-UBL-2.0_BR-NL-10_error_empty.xml'), 'utf8'));
    const finding = report.errors.find(({ id }) => id === 'BR-NL-10');
    assert.ok(finding, JSON.stringify(report.errors));
    assert.match(finding.location, /AccountingCustomerParty/);
    assert.match(finding.text, /BR-NL-10/);
  });

  it('reports a warning-only file with warnings and no errors', () => {
    const report = rules.evaluate(readFileSync(join(siUbl, 'SI-UBL-2.0_UBL-CR-561_warning.xml'), 'utf8'));
    assert.deepEqual(report.errors, []);
    assert.ok(report.warnings.some(({ id }) => id === 'UBL-CR-561'), JSON.stringify(report.warnings));
  });

  it('turns malformed input into a RulesExecutionError', () => {
    assert.throws(() => rules.evaluate('<Invoice'), RulesExecutionError);
  });
});

describe('resolveRuleSet', () => {
  it('refuses an unknown rule set by name', () => {
    assert.throws(() => resolveRuleSet('si-ubl-9'), (error: Error) => error instanceof StandardsError && /unknown rule set "si-ubl-9"/.test(error.message));
  });
});
