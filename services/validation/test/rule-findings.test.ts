import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FOUTCODE, STATUS } from '@poort/contracts';
import type { RuleFinding } from '@poort/standards';

import { MAX_DETAILS_CHARS, MAX_LISTED_FINDINGS, describeRuleFindings, shortLocation } from '../src/rules/rule-findings.js';
import { describeLimitExceeded, sizeLimitExceeded } from '../src/rules/rules-limits.js';
import { validationStatus } from '../src/validation/validation-status.js';

const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
const INVOICE = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';

const finding = (id: string, flag: 'fatal' | 'warning' = 'fatal', text = `[${id}] something is wrong`): RuleFinding => ({
  id,
  flag,
  location: `/*:Invoice[namespace-uri()='${INVOICE}'][1]/*:InvoiceLine[namespace-uri()='${CAC}'][3]/*:LineExtensionAmount[namespace-uri()='${CBC}'][1]`,
  text,
});

describe('statusdetails of failed rules', () => {
  test('one line per finding: id, a short location with UBL prefixes, the text', () => {
    assert.equal(describeRuleFindings([finding('BR-CO-10')]), '[BR-CO-10] /Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount: [BR-CO-10] something is wrong');
  });

  test('locations outside UBL keep their local names; the root location stays as it is', () => {
    assert.equal(shortLocation("/*:Invoice[namespace-uri()='urn:x'][1]/*:Extra[namespace-uri()='urn:y'][2]"), '/Invoice/Extra[2]');
    assert.equal(shortLocation('/'), '/');
  });

  test('at most 50 findings and a bounded length, with a count of what was left out', () => {
    const many = Array.from({ length: 80 }, (_, index) => finding(`BR-${index}`));
    const lines = describeRuleFindings(many).split('\n');
    assert.equal(lines.length, MAX_LISTED_FINDINGS + 1);
    assert.equal(lines.at(-1), '… en nog 30 bevindingen');
    const long = Array.from({ length: 40 }, (_, index) => finding(`BR-${index}`, 'fatal', 'x'.repeat(2_000)));
    const details = describeRuleFindings(long);
    assert.ok(details.length <= MAX_DETAILS_CHARS, `${details.length} characters`);
    assert.match(details, /x…\n/);
    assert.match(details, /… en nog \d+ bevindingen$/);
  });
});

describe('the limits policy', () => {
  test('a document over the size limit is named with both sizes', () => {
    const limits = { maxBytes: 1_000, timeLimitMs: 5_000 };
    assert.equal(sizeLimitExceeded(1_000, limits), undefined);
    const exceeded = sizeLimitExceeded(1_001, limits)!;
    assert.match(describeLimitExceeded(exceeded), /1001 bytes.*1000 bytes/);
    assert.match(describeLimitExceeded({ limit: 'time', ruleSet: 'si-ubl-2.0', timeLimitMs: 20_000 }), /si-ubl-2\.0.*20000 ms/);
  });
});

describe('the status of a verdict', () => {
  const rules = ['si-ubl-2.0'];

  test('valid without findings: 301 without details', () => {
    assert.deepEqual(validationStatus({ kind: 'valid', warnings: [] }, rules), { code: STATUS.gevalideerd });
  });

  test('valid with warnings: 301 that lists them', () => {
    const status = validationStatus({ kind: 'valid', warnings: [finding('BR-NL-28', 'warning')] }, rules);
    assert.equal(status.code, STATUS.gevalideerd);
    assert.equal(status.fout, undefined);
    assert.match(status.details ?? '', /^het bericht voldoet aan de bedrijfsregels \(si-ubl-2\.0\), met 1 waarschuwing:\n\[BR-NL-28\] /);
  });

  test('a fatal assert: final 311 with VAS500, the failed rules in the details (not the warnings)', () => {
    const status = validationStatus({ kind: 'rules-invalid', errors: [finding('BR-NL-10'), finding('BR-CO-15')], warnings: [finding('BR-NL-28', 'warning')] }, rules);
    assert.equal(status.code, STATUS.validatieMislukt);
    assert.equal(status.fout?.foutcode, FOUTCODE.validatieMislukt);
    assert.match(status.fout?.foutbeschrijving ?? '', /bedrijfsregels van de berichtsoort \(si-ubl-2\.0\)/);
    assert.deepEqual((status.details ?? '').split('\n').map((line) => line.split(' ')[0]), ['[BR-NL-10]', '[BR-CO-15]']);
  });

  test('an exception in the rules and an exceeded limit are rejections too (311, VAS500), saying which', () => {
    const failed = validationStatus({ kind: 'rules-failed', ruleSet: 'si-ubl-2.0', message: 'si-ubl-2.0: XPTY0004 Required cardinality' }, rules);
    assert.equal(failed.code, STATUS.validatieMislukt);
    assert.equal(failed.fout?.foutcode, FOUTCODE.validatieMislukt);
    assert.match(failed.details ?? '', /XPTY0004/);
    const limited = validationStatus({ kind: 'limit-exceeded', exceeded: { limit: 'time', ruleSet: 'si-ubl-2.0', timeLimitMs: 20_000 } }, rules);
    assert.equal(limited.code, STATUS.validatieMislukt);
    assert.match(limited.details ?? '', /20000 ms/);
  });

  test('an invalid schema: 311 with the XSD findings, as before', () => {
    const status = validationStatus({ kind: 'schema-invalid', findings: [{ message: 'IssueDate is no date', line: 10, column: 0 }] }, rules);
    assert.equal(status.code, STATUS.validatieMislukt);
    assert.equal(status.details, 'regel 10, kolom 0: IssueDate is no date');
  });
});
