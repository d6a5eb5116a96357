import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { MessageCatalog } from '@poort/message-types';

import { SchemaValidator, describeFindings } from '../src/validation/schema-validator.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const sample = (path: string) => readFileSync(join(ROOT, 'config/schemas', path));

describe('SchemaValidator: well-formedness and XSD per berichtsoort (the shipped configuration)', () => {
  const validator = new SchemaValidator(MessageCatalog.load(join(ROOT, 'config'), {}));
  after(() => validator[Symbol.dispose]());

  test('the sample invoice and the sample VAT return are valid for their types', () => {
    assert.deepEqual(validator.validate('e-factuur', sample('ubl-invoice/samples/valid-invoice.xml')), { valid: true });
    assert.deepEqual(validator.validate('Omzetbelasting', sample('xbrl-instance/samples/valid-instance.xbrl')), { valid: true });
  });

  test('an invoice against its schema fails with the finding and its line', () => {
    const outcome = validator.validate('e-factuur', sample('ubl-invoice/samples/invalid-invoice.xml'));
    assert.equal(outcome.valid, false);
    const details = describeFindings(outcome.valid ? [] : outcome.findings);
    assert.match(details, /^regel \d+, kolom \d+: .*IssueDate/m);
  });

  test('a document of another type is invalid for this one (wrong root element)', () => {
    assert.equal(validator.validate('e-factuur', sample('xbrl-instance/samples/valid-instance.xbrl')).valid, false);
  });

  test('malformed content and a DOCTYPE are findings about the content, not failures of the service', () => {
    const malformed = validator.validate('e-factuur', Buffer.from('<Invoice><unclosed></Invoice>'));
    assert.equal(malformed.valid, false);
    const doctype = validator.validate('e-factuur', Buffer.from('<!DOCTYPE x [<!ENTITY e "x">]><Invoice/>'));
    assert.equal(doctype.valid, false);
  });

  test('statusdetails list at most 50 findings, one line each, with the position where known', () => {
    const findings = Array.from({ length: 60 }, (_, index) => ({ message: `fout ${index}`, line: index, column: 1 }));
    const lines = describeFindings(findings).split('\n');
    assert.equal(lines.length, 50);
    assert.equal(lines[0], 'fout 0');
    assert.equal(lines[1], 'regel 1, kolom 1: fout 1');
  });
});
