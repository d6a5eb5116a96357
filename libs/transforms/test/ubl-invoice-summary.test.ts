import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { isTransformationName, TransformError, transformations, type InvoiceSummary } from '../src/index.js';

const samples = fileURLToPath(new URL('../../../../config/schemas/ubl-invoice/samples/', import.meta.url));
const sample = fs.readFileSync(`${samples}valid-invoice.xml`, 'utf8');
const toJson = transformations['ubl-invoice-to-json'];
const run = (xml: string | Uint8Array): InvoiceSummary =>
  JSON.parse(new TextDecoder().decode(toJson(typeof xml === 'string' ? new TextEncoder().encode(xml) : xml).bytes)) as InvoiceSummary;

describe('ubl-invoice-to-json', () => {
  it('summarizes the sample invoice', () => {
    const result = toJson(fs.readFileSync(`${samples}valid-invoice.xml`));
    assert.equal(result.mimeType, 'application/json');
    assert.equal(result.fileExtension, 'json');
    const text = new TextDecoder().decode(result.bytes);
    assert.deepEqual(JSON.parse(text), {
      format: 'poort.invoice-summary.v1',
      invoiceId: 'VF-2025-004187',
      issueDate: '2025-03-14',
      dueDate: '2025-04-13',
      currency: 'EUR',
      supplier: { name: 'Van der Berg Kantoorinrichting', endpointId: '30274915', vatId: 'NL812345678B01' },
      customer: { name: 'Ministerie van Binnenlandse Zaken en Koninkrijksrelaties', endpointId: '00000001234567890000', vatId: 'NL001234567B01' },
      totals: { lineExtension: '16698.30', taxExclusive: '16698.30', taxInclusive: '20101.45', payable: '20101.45', tax: '3403.15' },
      lines: [
        { id: '1', name: 'Bureaustoel ErgoFlex Pro', quantity: '12', unitCode: 'C62', amount: '4668.00' },
        { id: '2', name: 'Zit-sta bureau 160x80', quantity: '12', unitCode: 'C62', amount: '7794.00' },
        { id: '3', name: 'Monitorarm dubbel', quantity: '24', unitCode: 'C62', amount: '2158.80' },
        { id: '4', name: 'Montage en installatie', quantity: '16', unitCode: 'HUR', amount: '1040.00' },
        { id: '5', name: 'Handboek Ergonomie op de werkplek', quantity: '25', unitCode: 'C62', amount: '862.50' },
        { id: '6', name: 'Bezorging en afvoer verpakking', quantity: '1', unitCode: 'C62', amount: '175.00' },
      ],
    });
    // key order is part of the format: format first, lines last
    assert.ok(text.startsWith('{"format":"poort.invoice-summary.v1","invoiceId":"VF-2025-004187","issueDate":"2025-03-14","dueDate":"2025-04-13","currency":"EUR",'));
  });

  it('keeps decimal strings exactly as written', () => {
    const xml = sample.replace('<cbc:PayableAmount currencyID="EUR">20101.45</cbc:PayableAmount>', '<cbc:PayableAmount currencyID="EUR">0.1000000000000000000001</cbc:PayableAmount>');
    assert.equal(run(xml).totals.payable, '0.1000000000000000000001');
  });

  it('omits optional fields that are absent and falls back to the legal name', () => {
    const xml = sample
      .replace('<cbc:DueDate>2025-04-13</cbc:DueDate>', '')
      .replace(/<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/, '')
      .replace(/<cac:PartyName>\s*<cbc:Name>Van der Berg Kantoorinrichting<\/cbc:Name>\s*<\/cac:PartyName>/, '');
    const summary = run(xml);
    assert.equal('dueDate' in summary, false);
    assert.deepEqual(summary.supplier, { name: 'Van der Berg Kantoorinrichting B.V.', endpointId: '30274915' });
  });

  it('reports the tax total in the document currency when there is a second one in the tax currency', () => {
    const xml = sample.replace('<cac:TaxTotal>', '<cac:TaxTotal><cbc:TaxAmount currencyID="USD">3700.00</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>');
    assert.equal((xml.match(/<cac:TaxTotal>/g) ?? []).length, 2);
    assert.equal(run(xml).totals.tax, '3403.15');
  });

  it('rejects documents that are not UBL invoices', () => {
    assert.throws(() => toJson(new TextEncoder().encode('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')),
      (error: unknown) => error instanceof TransformError && error.code === 'TRANSFORM_INPUT_INVALID' && /Expected a UBL 2.1 Invoice/.test(error.message));
  });

  it('lists every missing required field', () => {
    const xml = sample.replace('<cbc:ID>VF-2025-004187</cbc:ID>', '').replace('<cbc:EndpointID schemeID="0190">00000001234567890000</cbc:EndpointID>', '');
    assert.throws(() => run(xml), /UBL invoice lacks ID, AccountingCustomerParty\/Party\/EndpointID$/);
  });

  it('wraps XML errors, including DOCTYPE refusals', () => {
    assert.throws(() => run('<Invoice'), (error: unknown) => error instanceof TransformError && /XML is not well-formed/.test(error.message));
    assert.throws(() => run(`<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>${sample.slice(sample.indexOf('<Invoice'))}`),
      (error: unknown) => error instanceof TransformError && /DOCTYPE/.test(error.message));
  });

  it('names its transformations', () => {
    assert.deepEqual(Object.keys(transformations), ['ubl-invoice-to-json', 'ubl-invoice-to-cii']);
    assert.equal(isTransformationName('ubl-invoice-to-json'), true);
    assert.equal(isTransformationName('none'), false);
    assert.equal(isTransformationName('toString'), false);
  });
});
