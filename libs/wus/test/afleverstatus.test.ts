import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { parseXml, type XmlAttribute } from '@poort/xml';

import {
  AFLEVERSTATUS_SERVICE,
  WusFault,
  faultBody,
  publishedWsdl,
  readZetStatusRequest,
  soapResponse,
  unsignedEnvelope,
  zetStatusResponseXml,
} from '../src/index.js';
import { bodyChild, validatePayload } from './fixtures.js';

const KV = 'http://logius.nl/digipoort/koppelvlakservices/1.2/';
const ns = {
  s: 'http://schemas.xmlsoap.org/soap/envelope/',
  kv: KV,
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  wsaw: 'http://www.w3.org/2006/05/addressing/wsdl',
  xsd: 'http://www.w3.org/2001/XMLSchema',
};

function assertValid(xml: string): void {
  const { valid, errors, doc } = validatePayload(xml);
  doc.dispose();
  assert.ok(valid, errors.join('\n'));
}

function readRequest(xml: string) {
  assertValid(xml);
  const doc = parseXml(`<s:Envelope xmlns:s="${ns.s}"><s:Body>${xml}</s:Body></s:Envelope>`);
  try {
    return readZetStatusRequest(bodyChild(doc));
  } finally {
    doc.dispose();
  }
}

describe('zetStatus in the koppelvlak', () => {
  test('zetStatusRequest, minimal and full, is read into a typed object (whitespace collapsed)', () => {
    assert.deepEqual(
      readRequest(`<zetStatusRequest xmlns="${KV}"><kenmerk>k-1</kenmerk><statuscode>500</statuscode><tijdstempelStatus>2026-01-02T03:04:05.678Z</tijdstempelStatus></zetStatusRequest>`),
      { kenmerk: 'k-1', statuscode: '500', tijdstempelStatus: new Date('2026-01-02T03:04:05.678Z') },
    );
    assert.deepEqual(
      readRequest(
        `<zetStatusRequest xmlns="${KV}"><kenmerk> k-1 </kenmerk><berichtkenmerk>urn:uuid:1</berichtkenmerk><statuscode>510</statuscode>` +
          '<tijdstempelStatus>2026-01-02T04:04:05+01:00</tijdstempelStatus>' +
          '<statusFoutcode><foutcode>FRIS-1</foutcode><foutbeschrijving>omzet  klopt\nniet</foutbeschrijving></statusFoutcode>' +
          '<statusdetails>regel 3</statusdetails></zetStatusRequest>',
      ),
      {
        kenmerk: 'k-1',
        berichtkenmerk: 'urn:uuid:1',
        statuscode: '510',
        tijdstempelStatus: new Date('2026-01-02T03:04:05.000Z'),
        statusFoutcode: { foutcode: 'FRIS-1', foutbeschrijving: 'omzet klopt niet' },
        statusdetails: 'regel 3',
      },
    );
  });

  test('zetStatusResponse and the zetStatusFault validate against the XSD', () => {
    assertValid(zetStatusResponseXml({ kenmerk: 'k-1', statuscode: '500' }));
    const xml = unsignedEnvelope(soapResponse(
      { action: AFLEVERSTATUS_SERVICE.operations[0]!.faultAction, relatesTo: 'urn:uuid:1' },
      faultBody(AFLEVERSTATUS_SERVICE, new WusFault('Client', 'ZETSTATUS_FORBIDDEN', 'niet de ontvanger')),
    ));
    const doc = parseXml(xml);
    try {
      assert.equal(doc.eval('string(/s:Envelope/s:Body/s:Fault/detail/kv:zetStatusFault/kv:foutcode)', ns), 'ZETSTATUS_FORBIDDEN');
      const detail = doc.get('/s:Envelope/s:Body/s:Fault/detail/kv:zetStatusFault', ns);
      assertValid(detail!.toString());
    } finally {
      doc.dispose();
    }
  });
});

describe('AfleverStatusService.wsdl, Poort\'s own', () => {
  const wsdl = publishedWsdl(AFLEVERSTATUS_SERVICE, 'https://poort.test:8443/wus/2.0/afleverstatusservice/1.2');
  const doc = parseXml(wsdl);
  const operation = AFLEVERSTATUS_SERVICE.operations[0]!;
  after(() => doc.dispose());

  test('is served with this endpoint as its address and the XSD from the same endpoint', () => {
    assert.equal(doc.eval('string(//wsdl:service/wsdl:port/soap11:address/@location)', ns), 'https://poort.test:8443/wus/2.0/afleverstatusservice/1.2');
    assert.equal(doc.eval('string(//wsdl:types/xsd:schema/xsd:import/@schemaLocation)', ns), 'https://poort.test:8443/wus/2.0/afleverstatusservice/1.2?xsd=digipoort-koppelvlak-1.2.xsd');
  });

  test('names the actions the endpoint checks, and the koppelvlak\'s zetStatus elements', () => {
    assert.equal(doc.eval('string(//wsdl:binding/wsdl:operation[@name="zetStatus"]/soap11:operation/@soapAction)', ns), operation.action);
    assert.equal(doc.eval('string(//wsdl:portType/wsdl:operation[@name="zetStatus"]/wsdl:output/@wsaw:Action)', ns), operation.responseAction);
    assert.equal(doc.eval('string(//wsdl:portType/wsdl:operation[@name="zetStatus"]/wsdl:fault/@wsaw:Action)', ns), operation.faultAction);
    const elements = doc.find('//wsdl:message/wsdl:part/@element', ns).map((attribute) => (attribute as XmlAttribute).value);
    assert.deepEqual(elements.sort(), ['kv:zetStatusFault', 'kv:zetStatusRequest', 'kv:zetStatusResponse']);
  });
});
