import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  AANLEVER_SERVICE,
  STATUSINFORMATIE_SERVICE,
  WusFault,
  aanleverResponseXml,
  berichtsoortenResponseXml,
  faultBody,
  processenResponseXml,
  readAanleverRequest,
  soapResponse,
  unsignedEnvelope,
  statusListResponseXml,
  type StatusResultaat,
} from '../src/index.js';
import { aanleverRequestXml, bodyChild, validatePayload } from './fixtures.js';
import { parseXml } from '@poort/xml';

const status: StatusResultaat = {
  kenmerk: 'c0f9e133-53ae-429e-af41-acd6e0abc570',
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  statuscode: '311',
  tijdstempelStatus: '2026-01-02T03:04:05.678Z',
  statusomschrijving: 'Validatie mislukt & <afgekeurd>',
  statusFoutcode: { foutcode: 'VAS500', foutbeschrijving: 'cvc-complex-type.2.4.a' },
  statusdetails: 'details',
};

function assertValid(xml: string): void {
  const { valid, errors, doc } = validatePayload(xml);
  doc.dispose();
  assert.ok(valid, errors.join('\n'));
}

describe('koppelvlak responses validate against digipoort-koppelvlak-1.2.xsd', () => {
  test('aanleverResponse, minimal and full, in an envelope', () => {
    const minimal = aanleverResponseXml({
      kenmerk: 'k-1',
      berichtsoort: 'Omzetbelasting',
      tijdstempelAangeleverd: '2026-01-02T03:04:05.678Z',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
    });
    assertValid(minimal);
    const full = aanleverResponseXml({
      kenmerk: 'k-1',
      berichtsoort: 'Omzetbelasting',
      aanleverkenmerk: 'a',
      eerderAanleverkenmerk: 'b',
      tijdstempelAangeleverd: '2026-01-02T03:04:05.678Z',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      identiteitOntvanger: { nummer: '00000001003214345000', type: 'OIN' },
      rolOntvanger: 'Belastingdienst',
      autorisatieAdres: 'http://geenausp.nl',
      statuscode: '100',
      tijdstempelStatus: '2026-01-02T03:04:05.678Z',
      statusomschrijving: 'Aanleverproces gestart',
      statusFoutcode: { foutcode: 'X', foutbeschrijving: 'y' },
      statusdetails: 'z',
    });
    assertValid(unsignedEnvelope(soapResponse({ action: 'a', relatesTo: 'urn:uuid:1' }, full)));
  });

  test('status lists, empty and with statuses', () => {
    for (const operation of ['getStatussenProces', 'getNieuweStatussenProces', 'getNieuweStatussen'] as const) {
      assertValid(statusListResponseXml(operation, []));
      assertValid(statusListResponseXml(operation, [status, { ...status, statusFoutcode: undefined, statusdetails: undefined } as StatusResultaat]));
    }
  });

  test('getProcessen and getBerichtsoorten', () => {
    assertValid(processenResponseXml([
      { kenmerk: 'k', berichtsoort: 'Omzetbelasting', identiteitBelanghebbende: { nummer: '1', type: 'Fi' } },
      { kenmerk: 'k2', berichtsoort: 'Omzetbelasting', identiteitBelanghebbende: { nummer: '1', type: 'Fi' }, identiteitOntvanger: { nummer: '2', type: 'OIN' } },
    ]));
    assertValid(berichtsoortenResponseXml(['Omzetbelasting', 'e-factuur']));
    assertValid(berichtsoortenResponseXml([]));
  });

  test('a fault is a SOAP 1.1 Fault with the Digipoort foutType detail, as in the samples', () => {
    for (const service of [AANLEVER_SERVICE, STATUSINFORMATIE_SERVICE]) {
      const xml = unsignedEnvelope(soapResponse(
        { action: service.operations[0]!.faultAction, relatesTo: 'urn:uuid:1' },
        faultBody(service, new WusFault('Client', service.interfaceFoutcode, 'fout <x>')),
      ));
      const doc = parseXml(xml);
      try {
        const ns = { s: 'http://schemas.xmlsoap.org/soap/envelope/', kv: 'http://logius.nl/digipoort/koppelvlakservices/1.2/', wsa: 'http://www.w3.org/2005/08/addressing' };
        assert.equal(doc.eval('string(/s:Envelope/s:Body/s:Fault/faultcode)', ns), 'soapenv:Client');
        assert.equal(doc.eval('string(/s:Envelope/s:Body/s:Fault/faultstring)', ns), 'Algemene fout');
        assert.equal(doc.eval(`string(/s:Envelope/s:Body/s:Fault/detail/kv:${service.faultElement}/kv:foutcode)`, ns), service.interfaceFoutcode);
        assert.equal(doc.eval('string(/s:Envelope/s:Header/wsa:RelatesTo)', ns), 'urn:uuid:1');
        assert.equal(doc.eval('string(/s:Envelope/s:Header/wsa:To)', ns), 'http://www.w3.org/2005/08/addressing/anonymous');
        const detail = doc.get(`/s:Envelope/s:Body/s:Fault/detail/kv:${service.faultElement}`, ns);
        const { valid, errors, doc: detailDoc } = validatePayload(detail!.toString());
        detailDoc.dispose();
        assert.ok(valid, errors.join('\n'));
      } finally {
        doc.dispose();
      }
    }
  });
});

describe('koppelvlak requests are read into typed objects', () => {
  test('aanleverRequest with an attachment; base64 whitespace removed', () => {
    const doc = parseXml(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${aanleverRequestXml()}</s:Body></s:Envelope>`);
    try {
      const request = readAanleverRequest(bodyChild(doc));
      assert.deepEqual(request, {
        berichtsoort: 'Omzetbelasting',
        aanleverkenmerk: 'ak-1',
        identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
        rolBelanghebbende: 'Bedrijf',
        berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'aangifte.xbrl', inhoud: 'PHhici8+' },
        berichtBijlagen: [{ mimeType: 'application/pdf', bestandsnaam: 'toelichting.pdf', inhoud: 'JVBERi0=' }],
      });
    } finally {
      doc.dispose();
    }
  });
});

