import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { compileXPath, parseXml, textAt } from '@poort/xml';

import {
  AFLEVER_SERVICE,
  AfleverRequestError,
  WusFault,
  afleverRequestXml,
  afleverResponseXml,
  faultBody,
  publishedWsdl,
  readAfleverRequest,
  readAfleverResponse,
  readSoapFault,
  soapResponse,
  unsignedEnvelope,
  type AfleverRequest,
} from '../src/index.js';
import { bodyChild, validatePayload } from './fixtures.js';

const content = Buffer.from('<Invoice>€ 12,50 & <tag/></Invoice>', 'utf8');

/** Every field of the XSD's afleverRequest, with values that need escaping. */
const full: AfleverRequest = {
  kenmerk: 'k-1234 & <5>',
  berichtsoort: 'e-factuur',
  berichtkenmerk: 'urn:uuid:8c1f5a2e-0000-4000-8000-000000000001',
  aanleverkenmerk: 'ref "één" <a>',
  tijdstempelAangeleverd: '2026-01-02T03:04:05.678Z',
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  identiteitAanleveraar: '00000099000000000001',
  identiteitOntvanger: { nummer: '00000099000000000101', type: 'OIN' },
  rolOntvanger: 'Belastingdienst',
  berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur & co.xml', inhoud: content.toString('base64') },
  berichtBijlagen: [
    { mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf', inhoud: Buffer.from('%PDF-1.7').toString('base64') },
    { mimeType: 'text/plain', bestandsnaam: 'leeg.txt', inhoud: '' },
  ],
  constateringenLijst: [{ code: 'VAS200', beschrijving: 'waarschuwing: <veld> ontbreekt' }],
  additioneleElementenLijst: [
    { naam: 'inhoudSha256', waarde: 'a'.repeat(64) },
    { naam: 'autorisatieAdres', waarde: 'http://geenausp.nl' },
  ],
};

function validate(xml: string): string[] {
  const { valid, errors, doc } = validatePayload(xml);
  doc.dispose();
  return valid ? [] : errors;
}

describe('afleverRequest', () => {
  test('with every field, it validates against the koppelvlak XSD and reads back to the same values', () => {
    const xml = afleverRequestXml(full);
    assert.deepEqual(validate(xml), []);
    const doc = parseXml(xml);
    try {
      const read = readAfleverRequest(doc.root);
      assert.deepEqual(read, full);
      assert.equal(Buffer.from(read.berichtInhoud.inhoud, 'base64').toString('utf8'), content.toString('utf8'));
    } finally {
      doc.dispose();
    }
  });

  test('minimal: only the required fields, inside a SOAP envelope', () => {
    const minimal: AfleverRequest = {
      kenmerk: 'k-1',
      berichtsoort: 'Omzetbelasting',
      berichtkenmerk: 'k-1',
      tijdstempelAangeleverd: '2026-01-02T03:04:05+01:00',
      identiteitBelanghebbende: { nummer: '1', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      berichtInhoud: { mimeType: 'text/xml', bestandsnaam: 'a.xml', inhoud: 'PGEvPg==' },
      berichtBijlagen: [],
      constateringenLijst: [],
    };
    const xml = unsignedEnvelope({ headers: [], body: afleverRequestXml(minimal) });
    assert.deepEqual(validate(xml), []);
    const doc = parseXml(xml);
    try {
      const { berichtBijlagen: _, constateringenLijst: __, ...expected } = minimal;
      assert.deepEqual(readAfleverRequest(bodyChild(doc)), expected, 'empty lists are left out: the XSD lists hold one item at least');
    } finally {
      doc.dispose();
    }
  });

  test('a value longer than the XSD allows is refused before anything is written', () => {
    const cases: [string, Partial<AfleverRequest>][] = [
      ['kenmerk', { kenmerk: 'k'.repeat(41) }],
      ['berichtkenmerk', { berichtkenmerk: 'b'.repeat(257) }],
      ['identiteitAanleveraar', { identiteitAanleveraar: '1'.repeat(36) }],
      ['identiteitBelanghebbende/type', { identiteitBelanghebbende: { nummer: '1', type: 't'.repeat(21) } }],
      ['berichtInhoud/bestandsnaam', { berichtInhoud: { ...full.berichtInhoud, bestandsnaam: `${'n'.repeat(77)}.xml` } }],
      ['element/waarde', { additioneleElementenLijst: [{ naam: 'x', waarde: 'w'.repeat(256) }] }],
      ['constatering/code', { constateringenLijst: [{ code: 'c'.repeat(21), beschrijving: 'b' }] }],
    ];
    for (const [field, override] of cases) {
      assert.throws(() => afleverRequestXml({ ...full, ...override }), (error: unknown) => {
        assert.ok(error instanceof AfleverRequestError);
        assert.equal(error.code, 'AFLEVER_REQUEST_INVALID');
        assert.match(error.message, new RegExp(`^${field.replace('/', '\\/')} `));
        return true;
      });
    }
    // At the limit, counted after whitespace collapse and in characters, not bytes.
    assert.deepEqual(validate(afleverRequestXml({ ...full, kenmerk: `  ${'é'.repeat(40)}  ` })), []);
  });

  test('what XML cannot carry, non-base64 content and a bad timestamp are refused', () => {
    assert.throws(() => afleverRequestXml({ ...full, aanleverkenmerk: 'a\u0001b' }), AfleverRequestError);
    assert.throws(() => afleverRequestXml({ ...full, berichtInhoud: { ...full.berichtInhoud, inhoud: 'not base64!' } }), AfleverRequestError);
    assert.throws(() => afleverRequestXml({ ...full, tijdstempelAangeleverd: 'gisteren' }), AfleverRequestError);
  });

  test('the XSD check is real: a planted violation fails validation', () => {
    const xml = afleverRequestXml(full);
    assert.notDeepEqual(validate(xml.replace('<berichtkenmerk>', '<berichtKenmerk>').replace('</berichtkenmerk>', '</berichtKenmerk>')), []);
    assert.notDeepEqual(validate(xml.replace(/<kenmerk>[^<]*<\/kenmerk>/, `<kenmerk>${'k'.repeat(41)}</kenmerk>`)), []);
    assert.notDeepEqual(validate(xml.replace(/<tijdstempelAangeleverd>[^<]*</, '<tijdstempelAangeleverd>gisteren<')), []);
  });
});

describe('afleverResponse and afleverFault', () => {
  test('a response with every field validates and reads back', () => {
    const response = {
      kenmerk: 'k-1',
      berichtsoort: 'e-factuur',
      berichtkenmerk: 'urn:uuid:1',
      tijdstempelAfgeleverd: '2026-01-02T03:04:06.001Z',
      statuscode: '400',
      tijdstempelStatus: '2026-01-02T03:04:06.001Z',
      statusomschrijving: 'Afgeleverd & verwerkt',
      statusFoutcode: { foutcode: 'X1', foutbeschrijving: 'geen' },
      statusdetails: 'details',
    };
    const xml = unsignedEnvelope(soapResponse({ action: AFLEVER_SERVICE.operations[0]!.responseAction, relatesTo: 'urn:uuid:1' }, afleverResponseXml(response)));
    assert.deepEqual(validate(xml), []);
    const doc = parseXml(xml);
    try {
      assert.deepEqual(readAfleverResponse(bodyChild(doc)), response);
    } finally {
      doc.dispose();
    }
  });

  test('a fault reads as faultcode, faultstring and the afleverFault foutType', () => {
    const xml = unsignedEnvelope(soapResponse({ action: 'a' }, faultBody(AFLEVER_SERVICE, new WusFault('Client', 'AFO123', 'onbekende <ontvanger>'))));
    const doc = parseXml(xml);
    try {
      const fault = bodyChild(doc);
      assert.deepEqual(validate(xml.replace(/^[\s\S]*<detail>|<\/detail>[\s\S]*$/g, '')), []);
      assert.deepEqual(readSoapFault(fault), { faultcode: 'Client', faultstring: 'Algemene fout', fout: { foutcode: 'AFO123', foutbeschrijving: 'onbekende <ontvanger>' } });
    } finally {
      doc.dispose();
    }
  });

  test('a fault without a koppelvlak detail still reads', () => {
    const doc = parseXml(`<s:Fault xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>`);
    try {
      assert.deepEqual(readSoapFault(doc.root), { faultcode: 'Server', faultstring: 'boom' });
    } finally {
      doc.dispose();
    }
  });
});

describe('AfleverService.wsdl', () => {
  test('is served with the given address and the XSD next to it, and names the afleveren operation and its actions', () => {
    const wsdl = publishedWsdl(AFLEVER_SERVICE, 'https://poort.example/wus/2.0/afleverservice/1.2');
    const doc = parseXml(wsdl);
    try {
      const ns = { wsdl: 'http://schemas.xmlsoap.org/wsdl/', soap11: 'http://schemas.xmlsoap.org/wsdl/soap/', xsd: 'http://www.w3.org/2001/XMLSchema' };
      const at = (xpath: string) => textAt(doc, compileXPath(xpath, ns));
      assert.equal(at('//soap11:address/@location'), 'https://poort.example/wus/2.0/afleverservice/1.2');
      assert.equal(at('//xsd:import/@schemaLocation'), 'https://poort.example/wus/2.0/afleverservice/1.2?xsd=digipoort-koppelvlak-1.2.xsd');
      const operation = AFLEVER_SERVICE.operations[0]!;
      assert.equal(at('//wsdl:binding/wsdl:operation[@name="afleveren"]/soap11:operation/@soapAction'), operation.action);
      assert.equal(at('//wsdl:portType/wsdl:operation/wsdl:fault/@*[local-name()="Action"]'), operation.faultAction);
      assert.equal(at('//wsdl:message[@name="AfleverServiceFault"]/wsdl:part/@element'), 'kv:afleverFault');
    } finally {
      doc.dispose();
    }
  });
});
