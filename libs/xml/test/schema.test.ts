import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileSchema, loadSchemaCatalog, SchemaRegistry, withXmlDocument, type CompiledSchema, type ValidationResult } from '../src/index.js';
import { assertXmlError, schemasDir, standardsDir } from './helpers.js';

const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
const INVOICE = '{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice';
const CREDIT_NOTE = '{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote';
/** The official OASIS UBL 2.1 schemas through the driver schema, whose imports stay inside the standards directory. */
const ublInvoice = { xsdPath: path.join(standardsDir, 'ubl-2.1.xsd'), root: standardsDir, rootElement: INVOICE };
const validInvoice = fs.readFileSync(path.join(schemasDir, 'ubl-invoice/samples/valid-invoice.xml'), 'utf8');

function errorsOf(result: ValidationResult): { message: string; line: number; column: number }[] {
  assert.equal(result.valid, false, 'expected the document to be invalid');
  return result.valid ? [] : result.errors;
}

describe('UBL 2.1 invoice schema (the official OASIS schemas)', () => {
  let registry: SchemaRegistry;
  let ubl: CompiledSchema;

  before(() => {
    registry = new SchemaRegistry({ ...loadSchemaCatalog(path.join(schemasDir, 'catalog.json')), 'ubl-invoice': ublInvoice });
    ubl = registry.get('ubl-invoice');
  });
  after(() => registry.close());

  const validate = (xml: string): ValidationResult => withXmlDocument(xml, (doc) => ubl.validate(doc));

  it('compiles once per key', () => {
    assert.equal(registry.get('ubl-invoice'), ubl);
    assert.deepEqual(registry.keys().sort(), ['ubl-invoice', 'xbrl-instance']);
  });

  it('accepts the sample invoice', () => {
    assert.deepEqual(validate(validInvoice), { valid: true });
  });

  it('rejects the invalid sample: IssueDate is not an xs:date', () => {
    const xml = fs.readFileSync(path.join(schemasDir, 'ubl-invoice/samples/invalid-invoice.xml'));
    const errors = errorsOf(withXmlDocument(xml, (doc) => registry.validate('ubl-invoice', doc)));
    assert.deepEqual(errors, [{
      message: `Element '{${CBC}}IssueDate': '14-03-2025' is not a valid value of the atomic type 'xs:date'.`,
      line: 10,
      column: 0,
      path: '/*/cbc:IssueDate',
    }]);
  });

  it('rejects an invoice without cbc:ID', () => {
    const [error] = errorsOf(validate(validInvoice.replace('<cbc:ID>VF-2025-004187</cbc:ID>', '')));
    assert.equal(error?.message, `Element '{${CBC}}IssueDate': This element is not expected. Expected is one of ( {${CBC}}ProfileExecutionID, {${CBC}}ID ).`);
  });

  it('requires currencyID on amounts; unitCode on quantities is left to the business rules (UBL has it optional)', () => {
    const noCurrency = validInvoice.replace('<cbc:PayableAmount currencyID="EUR">', '<cbc:PayableAmount>');
    assert.match(errorsOf(validate(noCurrency))[0]?.message ?? '', /PayableAmount': The attribute 'currencyID' is required but missing/);
    const noUnit = validInvoice.replace('<cbc:InvoicedQuantity unitCode="HUR">', '<cbc:InvoicedQuantity>');
    assert.deepEqual(validate(noUnit), { valid: true });
  });

  it('rejects a non-decimal amount', () => {
    const xml = validInvoice.replace('<cbc:PriceAmount currencyID="EUR">89.95</cbc:PriceAmount>', '<cbc:PriceAmount currencyID="EUR">89,95</cbc:PriceAmount>');
    assert.match(errorsOf(validate(xml))[0]?.message ?? '', /PriceAmount': '89,95' is not a valid value of the local atomic type/);
  });

  it('rejects a document whose root is another global element of the schema set', () => {
    const party = `<cac:Party xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"/>`;
    assert.match(errorsOf(validate(party))[0]?.message ?? '', /expected the document element \{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\}Invoice/);
  });

  it('takes one of several document elements when given a list', () => {
    using either = compileSchema(ublInvoice.xsdPath, { root: standardsDir, rootElement: [INVOICE, CREDIT_NOTE] });
    assert.deepEqual(withXmlDocument(validInvoice, (doc) => either.validate(doc)), { valid: true });
    const party = `<cac:Party xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"/>`;
    const [error] = errorsOf(withXmlDocument(party, (doc) => either.validate(doc)));
    assert.match(error?.message ?? '', /expected the document element \{[^}]*Invoice-2\}Invoice or \{[^}]*CreditNote-2\}CreditNote/);
  });

  it('reports the line of each error', () => {
    const xml = validInvoice.replace('<cbc:IssueDate>2025-03-14</cbc:IssueDate>', '<cbc:IssueDate>gisteren</cbc:IssueDate>')
      .replace('<cbc:DueDate>2025-04-13</cbc:DueDate>', '<cbc:DueDate>morgen</cbc:DueDate>');
    assert.deepEqual(errorsOf(validate(xml)).map((e) => e.line), [11, 12]);
  });
});

describe('XBRL instance schema', () => {
  let registry: SchemaRegistry;
  before(() => {
    registry = new SchemaRegistry(loadSchemaCatalog(path.join(schemasDir, 'catalog.json')));
  });
  after(() => registry.close());

  const validate = (file: string): ValidationResult =>
    withXmlDocument(fs.readFileSync(path.join(schemasDir, 'xbrl-instance/samples', file)), (doc) => registry.validate('xbrl-instance', doc));

  it('accepts the Digipoort VAT (Omzetbelasting) instance', () => {
    assert.deepEqual(validate('valid-instance.xbrl'), { valid: true });
  });

  it('rejects a context without entity', () => {
    const [error] = errorsOf(validate('invalid-instance.xbrl'));
    assert.equal(error?.message, "Element '{http://www.xbrl.org/2003/instance}period': This element is not expected. Expected is ( {http://www.xbrl.org/2003/instance}entity ).");
    assert.equal(error?.line, 8);
  });

  it('checks the envelope: schemaRef first, identifier scheme, period dates', () => {
    const valid = fs.readFileSync(path.join(schemasDir, 'xbrl-instance/samples/valid-instance.xbrl'), 'utf8');
    const check = (xml: string): string => withXmlDocument(xml, (doc) => errorsOf(registry.validate('xbrl-instance', doc))[0]?.message ?? '');
    assert.match(check(valid.replace(/<link:schemaRef[^>]*\/>/, '')), /Expected is \( \{http:\/\/www.xbrl.org\/2003\/linkbase\}schemaRef \)/);
    assert.match(check(valid.replace(' scheme="www.belastingdienst.nl/omzetbelastingnummer"', '')), /The attribute 'scheme' is required but missing/);
    assert.match(check(valid.replace('<xbrli:endDate>2020-10-31</xbrli:endDate>', '<xbrli:endDate>31-10-2020</xbrli:endDate>')), /endDate': '31-10-2020' is not a valid value/);
    assert.match(check(valid.replace('xlink:type="simple" ', '')), /The attribute '\{http:\/\/www.w3.org\/1999\/xlink\}type' is required but missing/);
  });
});

describe('schema file access', () => {
  let dir: string;
  let outside: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poort-xsd-'));
    fs.mkdirSync(path.join(dir, 'schema', 'types'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'schema', 'types', 'b.xsd'), xsd('urn:b', '<xs:element name="item" type="xs:date"/>'));
    outside = path.join(dir, 'outside.xsd');
    fs.writeFileSync(outside, xsd('urn:b', '<xs:element name="item" type="xs:date"/>'));
    fs.symlinkSync(outside, path.join(dir, 'schema', 'link.xsd'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const main = (location: string): string => {
    const file = path.join(dir, 'schema', `main-${Math.random().toString(36).slice(2)}.xsd`);
    fs.writeFileSync(file, xsd('urn:a', `<xs:import namespace="urn:b" schemaLocation="${location}"/>
      <xs:element name="root"><xs:complexType><xs:sequence><xs:element ref="b:item"/></xs:sequence></xs:complexType></xs:element>`));
    return file;
  };

  it('resolves imports relative to the schema, inside its directory tree', () => {
    using schema = compileSchema(main('types/b.xsd'));
    const result = withXmlDocument('<root xmlns="urn:a"><item xmlns="urn:b">nope</item></root>', (doc) => schema.validate(doc));
    assert.match(errorsOf(result)[0]?.message ?? '', /'\{urn:b\}item': 'nope' is not a valid value of the atomic type 'xs:date'/);
  });

  it('refuses files outside the schema directory, also through ../ and symlinks', () => {
    for (const location of ['../outside.xsd', `file://${outside}`, 'link.xsd', '/etc/passwd']) {
      const error = assertXmlError(() => compileSchema(main(location)), 'XML_SCHEMA_LOAD_FORBIDDEN');
      assert.match(error.message, /outside the schema directory/);
    }
  });

  it('refuses network locations', () => {
    const error = assertXmlError(() => compileSchema(main('http://www.xbrl.org/2003/xbrl-instance-2003-12-31.xsd')), 'XML_SCHEMA_LOAD_FORBIDDEN');
    assert.match(error.message, /not URLs/);
  });

  it('allows a wider root when one is given', () => {
    using schema = compileSchema(main('../outside.xsd'), { root: dir });
    assert.deepEqual(withXmlDocument('<root xmlns="urn:a"><item xmlns="urn:b">2025-01-01</item></root>', (doc) => schema.validate(doc)), { valid: true });
  });

  it('fails on missing files and on invalid XSD', () => {
    assertXmlError(() => compileSchema(main('types/missing.xsd')), 'XML_SCHEMA_INVALID');
    const broken = path.join(dir, 'schema', 'broken.xsd');
    fs.writeFileSync(broken, xsd('urn:c', '<xs:element name="x" type="xs:nope"/>'));
    assertXmlError(() => compileSchema(broken), 'XML_SCHEMA_INVALID');
    assertXmlError(() => compileSchema(path.join(dir, 'schema', 'absent.xsd')), 'XML_SCHEMA_INVALID');
  });

  it('refuses an entry schema outside the given root', () => {
    assertXmlError(() => compileSchema(outside, { root: path.join(dir, 'schema') }), 'XML_SCHEMA_LOAD_FORBIDDEN');
  });
});

describe('SchemaRegistry', () => {
  it('reports unknown keys and refuses to use a closed schema', () => {
    const registry = new SchemaRegistry(loadSchemaCatalog(path.join(schemasDir, 'catalog.json')));
    assertXmlError(() => registry.get('order'), 'XML_SCHEMA_UNKNOWN');
    const schema = registry.get('xbrl-instance');
    registry.close();
    withXmlDocument('<a/>', (doc) => assertXmlError(() => schema.validate(doc), 'XML_SCHEMA_CLOSED'));
    assert.notEqual(registry.get('xbrl-instance'), schema);
    registry.close();
  });
});

function xsd(targetNamespace: string, body: string): string {
  return `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:b="urn:b" targetNamespace="${targetNamespace}" elementFormDefault="qualified">${body}</xs:schema>`;
}
