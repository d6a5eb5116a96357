import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CompiledRules, resolveRuleSet, standardsFile } from '@poort/standards';
import { compileSchema, compileXPath, parseXml, type XmlDocument } from '@poort/xml';
import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';

/** The identiteitOntvanger whose e-invoices ministerie-fin receives as CII (config/message-types/e-factuur.yaml). */
const MINISTERIE_FIN = { nummer: '00000099000000000103', type: 'OIN' };

const CII = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
};
const UBL = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};
const valuesAt = (doc: XmlDocument, path: string, namespaces: Record<string, string> = CII): string[] =>
  doc.find(compileXPath(path, namespaces)).map((node) => node.content.trim());
const TOTALS = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation';

/** What the submitted invoice says, to find again in what the recipient gets. */
function submitted(): { id: string; lineTotal: string; tax: string; grandTotal: string; payable: string; lines: number } {
  const doc = parseXml(SAMPLES.invoice);
  try {
    const one = (path: string) => valuesAt(doc, path, UBL)[0] ?? '';
    return {
      id: one('/*/cbc:ID'),
      lineTotal: one('/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount'),
      tax: one('/*/cac:TaxTotal/cbc:TaxAmount'),
      grandTotal: one('/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'),
      payable: one('/*/cac:LegalMonetaryTotal/cbc:PayableAmount'),
      lines: valuesAt(doc, '/*/cac:InvoiceLine', UBL).length,
    };
  } finally {
    doc.dispose();
  }
}

describe('a recipient that wants UN/CEFACT CII gets its invoices as CII; the others keep their formats', () => {
  let e2e: E2eChain;

  before(async () => {
    e2e = await E2eChain.start('cii');
  });
  after(async () => {
    await e2e?.stop();
  });

  test('an e-factuur for the Ministry of Finance reaches it as CII that passes the official schema and EN 16931 CII rules, beside the JSON summary and the original', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice, { identiteitOntvanger: MINISTERIE_FIN, rolOntvanger: 'Overheid' }));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');

    const invoice = submitted();
    assert.ok(invoice.id !== '' && invoice.payable !== '' && invoice.lines > 0);
    const delivered = await waitFor('delivery to ministerie-fin', async () => e2e.recipient('ministerie-fin').forKenmerk(kenmerk));
    assert.match(String(delivered.headers['content-type']), /^application\/xml/);
    const text = delivered.body.toString('utf8');
    const cii = parseXml(delivered.body);
    const schema = compileSchema(standardsFile('cii-d16b/external/schemas/d16b/data/standard/CrossIndustryInvoice_100pD16B.xsd'));
    try {
      assert.equal(cii.root.namespaceUri, CII.rsm);
      assert.equal(cii.root.name, 'CrossIndustryInvoice');
      assert.deepEqual(valuesAt(cii, '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID'), [invoice.id]);
      assert.deepEqual(valuesAt(cii, '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode'), ['380']);
      assert.deepEqual(valuesAt(cii, `${TOTALS}/ram:LineTotalAmount`), [invoice.lineTotal]);
      assert.deepEqual(valuesAt(cii, `${TOTALS}/ram:TaxTotalAmount`), [invoice.tax]);
      assert.deepEqual(valuesAt(cii, `${TOTALS}/ram:GrandTotalAmount`), [invoice.grandTotal]);
      assert.deepEqual(valuesAt(cii, `${TOTALS}/ram:DuePayableAmount`), [invoice.payable]);
      assert.equal(valuesAt(cii, '//ram:IncludedSupplyChainTradeLineItem').length, invoice.lines);
      assert.deepEqual(schema.validate(cii), { valid: true });
    } finally {
      schema.close();
      cii.dispose();
    }
    assert.deepEqual(new CompiledRules(resolveRuleSet('en16931-cii')).evaluate(text).errors, []);

    // The ministry's ledger still gets its JSON summary, the Belastingdienst the invoice as submitted.
    const summary = await waitFor('delivery to ministerie-bzk', async () => e2e.recipient('ministerie-bzk').forKenmerk(kenmerk));
    assert.match(String(summary.headers['content-type']), /^application\/json/);
    const json = JSON.parse(summary.body.toString('utf8')) as { format: string; invoiceId: string; totals: { payable: string } };
    assert.deepEqual([json.format, json.invoiceId, json.totals.payable], ['poort.invoice-summary.v1', invoice.id, invoice.payable]);
    const original = await waitFor('delivery to belastingdienst', async () => e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.deepEqual(original.body, SAMPLES.invoice);
  });

  test('an e-factuur for anyone else is not converted to CII: the Ministry of Finance gets nothing', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    // 400 is recorded once every delivery of the message has been made.
    await e2e.waitForStatus(kenmerk, '400');
    await waitFor('delivery to ministerie-bzk', async () => e2e.recipient('ministerie-bzk').forKenmerk(kenmerk));
    await waitFor('delivery to belastingdienst', async () => e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.equal(e2e.recipient('ministerie-fin').forKenmerk(kenmerk), undefined);
  });
});
