import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { CompiledRules, UBL_21_SCHEMA, resolveRuleSet, standardsDir } from '@poort/standards';
import { compileSchema, withXmlDocument } from '@poort/xml';

import { BASE_INVOICE, InvoiceTemplateError, generateInvoice, linesForSize, toPeppolBis3 } from '../src/invoice-generator.js';

const dir = standardsDir();
const base = readFileSync(join(dir, BASE_INVOICE), 'utf8');
const schema = compileSchema(join(dir, UBL_21_SCHEMA), { root: dir });
after(() => schema.close());

const count = (xml: string, pattern: RegExp): number => xml.match(pattern)?.length ?? 0;
const xsdErrors = (xml: string) => withXmlDocument(xml, (doc) => schema.validate(doc));
const amountOf = (xml: string, element: string): string | undefined => new RegExp(`<cbc:${element} currencyID="EUR">([^<]+)<`).exec(xml)?.[1];

describe('generateInvoice', () => {
  const siUbl = new CompiledRules(resolveRuleSet('si-ubl-2.0'));

  for (const lines of [1, 100]) {
    it(`makes a ${lines}-line invoice that passes the UBL 2.1 schema and the SI-UBL 2.0 rules without a finding`, () => {
      const xml = generateInvoice(base, lines);
      assert.equal(count(xml, /<cac:InvoiceLine>/g), lines);
      assert.deepEqual(xsdErrors(xml), { valid: true });
      assert.deepEqual(siUbl.evaluate(xml), { errors: [], warnings: [] });
    });
  }

  it('adds the lines up in the totals and the VAT breakdown, per rate, in whole cents', () => {
    // Line 1: 1 × 1.00 at 21 %; line 2: 2 × 38.19 = 76.38 at 9 %, whose VAT 6.8742 rounds to 6.87.
    const xml = generateInvoice(base, 2);
    assert.equal(amountOf(xml, 'LineExtensionAmount'), '77.38');
    assert.equal(amountOf(xml, 'TaxExclusiveAmount'), '77.38');
    assert.equal(amountOf(xml, 'TaxAmount'), '7.08');
    assert.equal(amountOf(xml, 'TaxInclusiveAmount'), '84.46');
    assert.equal(amountOf(xml, 'PayableAmount'), '84.46');
    const subtotals = [...xml.matchAll(/<cbc:TaxableAmount currencyID="EUR">([^<]+)<\/cbc:TaxableAmount>\s*<cbc:TaxAmount currencyID="EUR">([^<]+)<\/cbc:TaxAmount>\s*<cac:TaxCategory>\s*<cbc:ID>S<\/cbc:ID>\s*<cbc:Percent>(\d+)</g)]
      .map(([, taxable, tax, rate]) => ({ taxable, tax, rate }));
    assert.deepEqual(subtotals, [{ taxable: '1.00', tax: '0.21', rate: '21' }, { taxable: '76.38', tax: '6.87', rate: '9' }]);
  });

  it('keeps the base invoice\'s parties and references', () => {
    const xml = generateInvoice(base, 3);
    for (const kept of ['<cbc:ID>12115118</cbc:ID>', 'NL1111.11.111.B.01', '<cbc:BuyerReference>47806</cbc:BuyerReference>', 'NL11 BANK 1111111112']) {
      assert.ok(xml.includes(kept), kept);
    }
  });

  it('refuses a base invoice it cannot take lines and totals from', () => {
    assert.throws(() => generateInvoice('<Invoice/>', 10), InvoiceTemplateError);
    assert.throws(() => generateInvoice(base, 0), RangeError);
  });
});

describe('linesForSize', () => {
  it('makes a ~7 MB invoice within 1 % of the size asked for, still schema-valid', () => {
    const lines = linesForSize(base, 7_000_000);
    const xml = generateInvoice(base, lines);
    const bytes = Buffer.byteLength(xml);
    assert.ok(Math.abs(bytes - 7_000_000) < 70_000, `${lines} lines, ${bytes} bytes`);
    assert.equal(count(xml, /<cac:InvoiceLine>/g), lines);
    assert.deepEqual(xsdErrors(xml), { valid: true });
  });
});

describe('toPeppolBis3', () => {
  it('makes an invoice that passes the Peppol BIS Billing 3 rules (CEN and Peppol) without a finding', () => {
    const xml = toPeppolBis3(generateInvoice(base, 10));
    assert.deepEqual(xsdErrors(xml), { valid: true });
    for (const name of ['peppol-cen-ubl', 'peppol-bis3-ubl']) {
      assert.deepEqual(new CompiledRules(resolveRuleSet(name)).evaluate(xml), { errors: [], warnings: [] }, name);
    }
  });
});
