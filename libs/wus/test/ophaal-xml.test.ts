import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseXml } from '@poort/xml';

import {
  NS,
  OPHAAL_SERVICE,
  berichtenLijstResponseXml,
  berichtenResponseXml,
  operationForElement,
  readBerichtenKenmerkRequest,
  readBerichtenLijstRequest,
  readBerichtenRequest,
  type BerichtResultaat,
} from '../src/index.js';
import { validatePayload } from './fixtures.js';

const bericht: BerichtResultaat = {
  kenmerk: 'c0f9e133-53ae-429e-af41-acd6e0abc570',
  berichtsoort: 'Mededeling',
  berichtkenmerk: 'c0f9e133-53ae-429e-af41-acd6e0abc570:bedrijf-b',
  aanleverkenmerk: 'ak & <1>',
  tijdstempelAangeleverd: '2026-01-02T03:04:05.678Z',
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  identiteitAanleveraar: '00000099000000000001',
  identiteitOntvanger: { nummer: '00000099000000000002', type: 'OIN' },
  berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'mededeling.xml', inhoud: Buffer.from('<m>é</m>') },
  berichtBijlagen: [{ mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf', inhoud: Buffer.from('%PDF-1.7') }],
};

function assertValid(xml: string): void {
  const { valid, errors, doc } = validatePayload(xml);
  doc.dispose();
  assert.ok(valid, errors.join('\n'));
}

const request = (name: string, children: string) => parseXml(`<kv:${name} xmlns:kv="${NS.kv}">${children}</kv:${name}>`).root;

describe('OphaalService requests and responses (digipoort-koppelvlak-1.2.xsd)', () => {
  test('the service has the six operations with the WSDL\'s actions', () => {
    assert.deepEqual(OPHAAL_SERVICE.operations.map((op) => op.name), [
      'getBerichten', 'getNieuweBerichten', 'getBerichtenKenmerk', 'getNieuweBerichtenKenmerk', 'getBerichtenLijst', 'getNieuweBerichtenLijst',
    ]);
    const op = operationForElement(OPHAAL_SERVICE, 'getNieuweBerichtenLijstRequest');
    assert.equal(op?.action, 'http://logius.nl/digipoort/wus/2.0/ophaalservice/1.2/OphaalService/getNieuweBerichtenLijstRequest');
    assert.equal(op?.responseAction, 'http://logius.nl/digipoort/wus/2.0/ophaalservice/1.2/OphaalService/getNieuweBerichtenLijstResponse');
    assert.equal(op?.faultAction, 'http://logius.nl/digipoort/wus/2.0/ophaalservice/1.2/OphaalService/getNieuweBerichtenLijst/Fault/');
  });

  test('every BerichtResultaat response, full and empty, is valid, with content and attachments base64', () => {
    for (const operation of ['getBerichten', 'getNieuweBerichten', 'getBerichtenKenmerk', 'getNieuweBerichtenKenmerk'] as const) {
      const xml = berichtenResponseXml(operation, [bericht, { ...bericht, aanleverkenmerk: undefined, identiteitOntvanger: undefined, berichtBijlagen: [] }]);
      assertValid(xml);
      assertValid(berichtenResponseXml(operation, []));
      const doc = parseXml(xml);
      const inhoud = doc.get('//kv:BerichtResultaat[1]/kv:berichtInhoud/kv:inhoud', { kv: NS.kv });
      assert.equal(Buffer.from(inhoud!.toString().replace(/<[^>]+>/g, ''), 'base64').toString('utf8'), '<m>é</m>');
      assert.match(xml, /<aanleverkenmerk>ak &amp; &lt;1&gt;<\/aanleverkenmerk>/);
      assert.equal((xml.match(/<berichtBijlagen>/g) ?? []).length, 1, 'an empty attachment list is left out (the XSD wants at least one bijlage)');
      doc.dispose();
    }
  });

  test('the Lijst responses carry berichtsoort, identiteitBelanghebbende and kenmerk only, and are valid', () => {
    for (const operation of ['getBerichtenLijst', 'getNieuweBerichtenLijst'] as const) {
      const xml = berichtenLijstResponseXml(operation, [{ berichtsoort: 'Mededeling', identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' }, kenmerk: 'k-1' }]);
      assertValid(xml);
      assert.doesNotMatch(xml, /inhoud/);
      assertValid(berichtenLijstResponseXml(operation, []));
    }
  });

  test('requests are read with optional parts absent or present, values collapsed', () => {
    const full = `<kv:berichtsoort> Mededeling </kv:berichtsoort><kv:identiteitBelanghebbende><kv:nummer>001000044B37</kv:nummer><kv:type>Fi</kv:type></kv:identiteitBelanghebbende>` +
      `<kv:autorisatieAdres>http://asp.example/</kv:autorisatieAdres><kv:tijdstempelVanaf>2026-01-01T00:00:00Z</kv:tijdstempelVanaf><kv:tijdstempelTot>2026-02-01T00:00:00+01:00</kv:tijdstempelTot>`;
    assert.deepEqual(readBerichtenRequest(request('getBerichtenRequest', full)), {
      berichtsoort: 'Mededeling',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      autorisatieAdres: 'http://asp.example/',
      tijdstempelVanaf: new Date('2026-01-01T00:00:00Z'),
      tijdstempelTot: new Date('2026-01-31T23:00:00Z'),
    });
    assert.deepEqual(
      readBerichtenRequest(request('getNieuweBerichtenRequest', '<kv:identiteitBelanghebbende><kv:nummer>1</kv:nummer><kv:type>Fi</kv:type></kv:identiteitBelanghebbende>')),
      { identiteitBelanghebbende: { nummer: '1', type: 'Fi' } },
    );
    assert.deepEqual(readBerichtenKenmerkRequest(request('getBerichtenKenmerkRequest', '<kv:kenmerk>k-1</kv:kenmerk>')), { kenmerk: 'k-1' });
    assert.deepEqual(readBerichtenLijstRequest(request('getBerichtenLijstRequest', '')), {});
    assert.deepEqual(readBerichtenLijstRequest(request('getNieuweBerichtenLijstRequest', '<kv:berichtsoort>Mededeling</kv:berichtsoort>')), { berichtsoort: 'Mededeling' });
  });
});
