import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

import { CompiledRules, resolveRuleSet, standardsDir, standardsFile } from '@poort/standards';
import { compileSchema, compileXPath, parseXml, type XmlDocument, type XmlXPath } from '@poort/xml';

import { CII_NAMESPACES, TransformError, transformations } from '../src/index.js';

const toCii = transformations['ubl-invoice-to-cii'];
const sample = fileURLToPath(new URL('../../../../config/schemas/ubl-invoice/samples/valid-invoice.xml', import.meta.url));
const examplesDir = join(standardsDir(), 'tests-en16931/external/test-files/1.3.16/ubl');
const examples = readdirSync(examplesDir).filter((name) => /\.xml$/i.test(name)).sort();

const ciiSchema = compileSchema(standardsFile('cii-d16b/external/schemas/d16b/data/standard/CrossIndustryInvoice_100pD16B.xsd'));
const ciiRules = new CompiledRules(resolveRuleSet('en16931-cii'));
after(() => ciiSchema.close());

const ubl = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};
const compiled = new Map<string, XmlXPath>();
const strings = (doc: XmlDocument, path: string): string[] => {
  let xpath = compiled.get(path);
  if (!xpath) compiled.set(path, (xpath = compileXPath(path, { ...ubl, ...CII_NAMESPACES })));
  return doc.find(xpath).map((node) => node.content.trim());
};
const decimal = (value: string): string => String(Number(value));

/**
 * The figures a recipient reconciles, read from the UBL source and from its CII rendition: when the mapping puts a
 * business term in the wrong place, the two views differ.
 */
interface KeyFigures {
  id: string[];
  currency: string[];
  lineTotal: string[];
  taxBasisTotal: string[];
  taxTotal: string[];
  grandTotal: string[];
  duePayable: string[];
  vatBreakdown: string[];
  lines: string[];
  seller: string[];
  buyer: string[];
}

function ublFigures(doc: XmlDocument): KeyFigures {
  const line = doc.root.name === 'CreditNote' ? 'cac:CreditNoteLine' : 'cac:InvoiceLine';
  const currency = strings(doc, '/*/cbc:DocumentCurrencyCode');
  return {
    id: strings(doc, '/*/cbc:ID'),
    currency,
    lineTotal: strings(doc, '/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount').map(decimal),
    taxBasisTotal: strings(doc, '/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount').map(decimal),
    taxTotal: strings(doc, `/*/cac:TaxTotal/cbc:TaxAmount[@currencyID = '${currency[0]}']`).map(decimal),
    grandTotal: strings(doc, '/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount').map(decimal),
    duePayable: strings(doc, '/*/cac:LegalMonetaryTotal/cbc:PayableAmount').map(decimal),
    vatBreakdown: doc
      .find(compileXPath('/*/cac:TaxTotal/cac:TaxSubtotal', ubl))
      .map((subtotal) => {
        const value = (path: string) => subtotal.get(compileXPath(path, ubl))?.content.trim() ?? '-';
        return `${value('cac:TaxCategory/cbc:ID')} ${value('cac:TaxCategory/cbc:Percent')} ${decimal(value('cbc:TaxableAmount'))} ${decimal(value('cbc:TaxAmount'))}`;
      }),
    lines: doc.find(compileXPath(`/*/${line}`, ubl)).map((node) => {
      const value = (path: string) => node.get(compileXPath(path, ubl))?.content.trim() ?? '-';
      return `${value('cbc:ID')} ${value('cbc:LineExtensionAmount')} ${value('cac:Item/cac:ClassifiedTaxCategory/cbc:ID')}`;
    }),
    seller: strings(doc, '/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName'),
    buyer: strings(doc, '/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName'),
  };
}

function ciiFigures(doc: XmlDocument): KeyFigures {
  const settlement = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement';
  const totals = `${settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`;
  const currency = strings(doc, `${settlement}/ram:InvoiceCurrencyCode`);
  const ns = { ...CII_NAMESPACES };
  return {
    id: strings(doc, '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID'),
    currency,
    lineTotal: strings(doc, `${totals}/ram:LineTotalAmount`).map(decimal),
    taxBasisTotal: strings(doc, `${totals}/ram:TaxBasisTotalAmount`).map(decimal),
    taxTotal: strings(doc, `${totals}/ram:TaxTotalAmount[@currencyID = '${currency[0]}']`).map(decimal),
    grandTotal: strings(doc, `${totals}/ram:GrandTotalAmount`).map(decimal),
    duePayable: strings(doc, `${totals}/ram:DuePayableAmount`).map(decimal),
    vatBreakdown: doc.find(compileXPath(`${settlement}/ram:ApplicableTradeTax`, ns)).map((tax) => {
      const value = (path: string) => tax.get(compileXPath(path, ns))?.content.trim() ?? '-';
      return `${value('ram:CategoryCode')} ${value('ram:RateApplicablePercent')} ${decimal(value('ram:BasisAmount'))} ${decimal(value('ram:CalculatedAmount'))}`;
    }),
    lines: doc.find(compileXPath('/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem', ns)).map((node) => {
      const value = (path: string) => node.get(compileXPath(path, ns))?.content.trim() ?? '-';
      return `${value('ram:AssociatedDocumentLineDocument/ram:LineID')} ${value('ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount')} ${value('ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode')}`;
    }),
    seller: strings(doc, '//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:Name'),
    buyer: strings(doc, '//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/ram:Name'),
  };
}

/** The invoice with this one note (BT-22) instead of its own; the converter reads UBL by path, not by position. */
const withNote = (xml: string, note: string): string =>
  xml.replace(/<cbc:Note>[^<]*<\/cbc:Note>/g, '').replace('<cbc:DocumentCurrencyCode>', `<cbc:Note>${note}</cbc:Note><cbc:DocumentCurrencyCode>`);

interface Checked {
  cii: string;
  schemaErrors: string[];
  ruleErrors: string[];
  source: KeyFigures;
  result: KeyFigures;
}

function convertAndCheck(path: string): Checked {
  const sourceBytes = readFileSync(path);
  const output = toCii(sourceBytes);
  const cii = new TextDecoder().decode(output.bytes);
  const source = parseXml(sourceBytes);
  const result = parseXml(cii);
  try {
    const validation = ciiSchema.validate(result);
    return {
      cii,
      schemaErrors: validation.valid ? [] : validation.errors.map((error) => `${error.line ?? '?'}: ${error.message}`),
      ruleErrors: ciiRules.evaluate(cii).errors.map((finding) => `${finding.id} at ${finding.location}: ${finding.text}`),
      source: ublFigures(source),
      result: ciiFigures(result),
    };
  } finally {
    source.dispose();
    result.dispose();
  }
}

describe('ubl-invoice-to-cii', () => {
  it('labels its output as XML', () => {
    const output = toCii(readFileSync(sample));
    assert.equal(output.mimeType, 'application/xml');
    assert.equal(output.fileExtension, 'xml');
  });

  it("converts Poort's sample invoice to CII that passes the CII D16B schema and the EN 16931 CII rules, keeping its figures", () => {
    const checked = convertAndCheck(sample);
    assert.deepEqual(checked.schemaErrors, []);
    assert.deepEqual(checked.ruleErrors, []);
    assert.deepEqual(checked.result, checked.source);
    // Each figure is there, so that a term read wrongly (as absent) in both views still fails.
    for (const [figure, values] of Object.entries(checked.result)) assert.ok(values.length > 0 && values.every((value: string) => value !== '' && value !== 'NaN'), figure);
    const source = parseXml(readFileSync(sample));
    const result = parseXml(checked.cii);
    try {
      assert.deepEqual(
        strings(result, '//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString[@format = "102"]'),
        strings(source, '/*/cbc:IssueDate').map((date) => date.replaceAll('-', '')),
      );
      assert.deepEqual(strings(result, '//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID'), strings(source, '/*/cbc:CustomizationID'));
      assert.deepEqual(strings(result, '//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID'), strings(source, '/*/cbc:ProfileID'));
      assert.deepEqual(strings(result, '//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference'), strings(source, '/*/cbc:BuyerReference'));
    } finally {
      source.dispose();
      result.dispose();
    }
  });

  describe('every official EN 16931 1.3.16 UBL example', () => {
    const outcomes = new Map<string, boolean>();
    after(() => {
      const passed = [...outcomes.values()].filter(Boolean).length;
      console.log(`# EN 16931 UBL examples converted to CII passing the CII schema and rules: ${passed} of ${examples.length}`);
    });

    it('finds the examples', () => assert.ok(examples.length >= 17, `only ${examples.length} examples in ${examplesDir}`));

    for (const name of examples) {
      it(name, () => {
        outcomes.set(name, false);
        const checked = convertAndCheck(join(examplesDir, name));
        assert.deepEqual(checked.schemaErrors, [], 'CII D16B schema');
        assert.deepEqual(checked.ruleErrors, [], 'EN 16931 CII rules (fatal)');
        assert.deepEqual(checked.result, checked.source);
        outcomes.set(name, true);
      });
    }
  });

  it('turns a UBL CreditNote into a CII document of type 381 with its credited quantities and due date', () => {
    const checked = convertAndCheck(join(examplesDir, 'ubl-tc434-creditnote1.xml'));
    assert.match(checked.cii, /<rsm:ExchangedDocument>\s*<ram:ID>[^<]+<\/ram:ID>\s*<ram:TypeCode>381<\/ram:TypeCode>/);
    assert.match(checked.cii, /<ram:BilledQuantity unitCode="[^"]+">/);
    const withDueDate = readFileSync(join(examplesDir, 'ubl-tc434-creditnote1.xml'), 'utf8')
      .replace('<cbc:PaymentMeansCode>1</cbc:PaymentMeansCode>', '<cbc:PaymentMeansCode>1</cbc:PaymentMeansCode><cbc:PaymentDueDate>2019-02-28</cbc:PaymentDueDate>');
    const cii = new TextDecoder().decode(toCii(new TextEncoder().encode(withDueDate)).bytes);
    assert.match(cii, /<ram:DueDateDateTime>\s*<udt:DateTimeString format="102">20190228<\/udt:DateTimeString>/);
  });

  it('keeps an embedded attachment (BG-24) with its MIME code and file name', () => {
    const source = readFileSync(join(examplesDir, 'FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml'), 'utf8');
    const embedded = /<cbc:EmbeddedDocumentBinaryObject[^>]*mimeCode="([^"]+)"[^>]*>([^<]{16})/.exec(source);
    assert.ok(embedded, 'the example embeds an attachment');
    const cii = new TextDecoder().decode(toCii(new TextEncoder().encode(source)).bytes);
    const attached = /<ram:AttachmentBinaryObject mimeCode="([^"]+)"[^>]*>([^<]{16})/.exec(cii);
    assert.deepEqual(attached?.slice(1), embedded.slice(1));
  });

  it('escapes markup characters in texts and attributes, and the result says what the source said', () => {
    const xml = withNote(readFileSync(sample, 'utf8'), 'Prijs &lt; 100 &amp; "franco" ]]&gt; klaar')
      .replace(/<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/, '')
      .replace('<cbc:DocumentCurrencyCode>', '<cbc:BuyerReference>A&amp;B</cbc:BuyerReference><cbc:DocumentCurrencyCode>');
    const cii = new TextDecoder().decode(toCii(new TextEncoder().encode(xml)).bytes);
    assert.doesNotMatch(cii, /]]>/);
    const doc = parseXml(cii);
    try {
      assert.deepEqual(strings(doc, '//rsm:ExchangedDocument/ram:IncludedNote/ram:Content'), ['Prijs < 100 & "franco" ]]> klaar']);
      assert.deepEqual(strings(doc, '//ram:BuyerReference'), ['A&B']);
      assert.equal(ciiSchema.validate(doc).valid, true);
    } finally {
      doc.dispose();
    }
  });

  it('reads the #CODE# convention of a note as its subject code (BT-21)', () => {
    const xml = withNote(readFileSync(sample, 'utf8'), '#AAI#Levering franco');
    const cii = new TextDecoder().decode(toCii(new TextEncoder().encode(xml)).bytes);
    assert.match(cii, /<ram:IncludedNote>\s*<ram:Content>Levering franco<\/ram:Content>\s*<ram:SubjectCode>AAI<\/ram:SubjectCode>\s*<\/ram:IncludedNote>/);
  });

  it('writes a charge indicator of 1 or 0 as the true or false the CII rules compare with', () => {
    const xml = readFileSync(join(examplesDir, 'ubl-tc434-example2.xml'), 'utf8')
      .replaceAll('<cbc:ChargeIndicator>true</cbc:ChargeIndicator>', '<cbc:ChargeIndicator>1</cbc:ChargeIndicator>')
      .replaceAll('<cbc:ChargeIndicator>false</cbc:ChargeIndicator>', '<cbc:ChargeIndicator>0</cbc:ChargeIndicator>');
    const cii = new TextDecoder().decode(toCii(new TextEncoder().encode(xml)).bytes);
    assert.deepEqual([...new Set([...cii.matchAll(/<udt:Indicator>([^<]*)</g)].map((match) => match[1]))].sort(), ['false', 'true']);
    assert.deepEqual(ciiRules.evaluate(cii).errors, []);
  });

  it('refuses input that is not a UBL invoice or credit note with a coded error', () => {
    const refused = (input: string, pattern: RegExp) =>
      assert.throws(() => toCii(new TextEncoder().encode(input)), (error: unknown) => error instanceof TransformError && error.code === 'TRANSFORM_INPUT_INVALID' && pattern.test(error.message));
    refused('<Invoice', /not usable XML/);
    refused('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>', /Expected a UBL 2\.1 Invoice or CreditNote/);
    refused('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">1</ID></Invoice>', /lacks cbc:IssueDate/);
    refused(readFileSync(sample, 'utf8').replace('<cbc:IssueDate>2025-03-14</cbc:IssueDate>', '<cbc:IssueDate>14-03-2025</cbc:IssueDate>'), /"14-03-2025" is not a date/);
  });
});
