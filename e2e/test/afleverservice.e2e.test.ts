import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { after, before, describe, test } from 'node:test';

import { NS } from '@poort/wus';
import { WSSecurityCert, createClientAsync } from 'soap';

import { E2eChain, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';
import { wusClient } from '../src/wus-client.js';

const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);

// Recipients with channel wus: the delivery service calls their WUS afleverservice (TestWusRecipient, recipient-a's
// certificate, pinned in the profile) over two-way TLS with a signed afleverRequest.
describe('WUS afleverservice delivery, end to end', () => {
  let e2e: E2eChain;

  before(async () => {
    e2e = await E2eChain.start('aflever', {
      scenarioRecipients: {
        'wus-ontvanger': { behaviour: 'accept', retryWindow: '2m', wus: true },
        'wus-weigeraar': { behaviour: 'refuse', retryWindow: '2m', wus: true },
        'wus-later': { behaviour: 'down', retryWindow: '2m', wus: true },
      },
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  test('a message for a WUS recipient ends at 400; the recipient verified Poort and holds the exact bytes', async () => {
    const receipt = await e2e.submit(aanlevering('wus-ontvanger', SAMPLES.invoice, { aanleverkenmerk: 'wus-e2e-1' }));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);

    const recipient = e2e.wusRecipient('wus-ontvanger');
    const received = recipient.forKenmerk(kenmerk);
    assert.ok(received, JSON.stringify(recipient.refused));
    assert.equal(statuses[5]!.statusdetails, `tijdstempelAfgeleverd ${received.tijdstempelAfgeleverd} (wus-ontvanger)`);
    assert.deepEqual(received.content.bytes, SAMPLES.invoice);
    assert.equal(received.content.mimeType, 'application/xml');
    assert.equal(received.content.bestandsnaam, 'bericht.xml');
    assert.equal(received.fields['berichtsoort'], 'wus-ontvanger');
    assert.equal(received.fields['aanleverkenmerk'], 'wus-e2e-1');
    assert.equal(received.fields['identiteitAanleveraar'], e2e.pki.clients['sender-a'].oin);
    // Poort's TLS client certificate and its WS-Security signature, both checked by the recipient.
    assert.equal(received.tlsOin, e2e.pki.server.oin);
    assert.equal(received.signerOin, e2e.pki.server.oin);
    assert.deepEqual(recipient.refused, []);
  });

  test('delivered by the afleverservice (400), then the recipient\'s own zetStatus: the sender sees 500; another certificate is refused', async () => {
    const receipt = await e2e.submit(aanlevering('wus-ontvanger', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');
    assert.ok(e2e.wusRecipient('wus-ontvanger').forKenmerk(kenmerk), 'delivered by WUS');
    const zetStatus = `${e2e.chain.url('delivery')}/wus/2.0/afleverstatusservice/1.2`;
    const report = { kenmerk, statuscode: '500', tijdstempelStatus: new Date().toISOString() };
    // recipient-b is not the recipient of this message (the WUS recipient is recipient-a's OIN).
    const forger = await wusClient(e2e.pki, zetStatus, 'recipient-b');
    await assert.rejects(forger.call('zetStatus', report), (error: unknown) => /ZETSTATUS_FORBIDDEN/.test(JSON.stringify((error as { root?: unknown }).root)));
    const ontvanger = await wusClient(e2e.pki, zetStatus, 'recipient-a');
    const answer = await ontvanger.call<{ statuscode: string }>('zetStatus', report);
    assert.equal(answer.statuscode, '500');
    const statuses = await e2e.waitForStatus(kenmerk, '500');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400', '500']);
  });

  test('a recipient that answers with a SOAP fault: final 410 with the recipient\'s foutcode', async () => {
    const receipt = await e2e.submit(aanlevering('wus-weigeraar', SAMPLES.invoice));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '410');
    const refused = statuses.find((status) => status.statuscode === '410')!;
    assert.equal(refused.statusFoutcode?.foutcode, 'AFO901');
    assert.match(refused.statusFoutcode?.foutbeschrijving ?? '', /de ontvanger kent deze belanghebbende niet/);
    assert.ok(!codes(statuses).includes('400'));
    assert.equal(e2e.wusRecipient('wus-weigeraar').accepted.size, 0);
  });

  test('a WUS recipient that is down (503) gets 420 and the retries; back up, it has the message once, and 400', async () => {
    const recipient = e2e.wusRecipient('wus-later');
    const receipt = await e2e.submit(aanlevering('wus-later', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    const down = await e2e.waitForStatus(kenmerk, '420');
    assert.equal(down.find((status) => status.statuscode === '420')?.statusFoutcode?.foutcode, 'AFS400');
    recipient.behaviour = 'accept';
    await e2e.waitForStatus(kenmerk, '400');
    assert.ok(recipient.posts >= 2, `posts: ${recipient.posts}`);
    assert.deepEqual(recipient.forKenmerk(kenmerk)?.content.bytes, SAMPLES.invoice);
    assert.equal([...recipient.accepted.values()].filter((aflevering) => aflevering.kenmerk === kenmerk).length, 1);
  });

  test('the delivery service publishes the AfleverService WSDL and its XSD', async () => {
    const wsdl = await e2e.get('delivery', '/wus/2.0/afleverservice/1.2?wsdl');
    assert.equal(wsdl.status, 200);
    assert.match(wsdl.text(), /<wsdl:operation name="afleveren">/);
    assert.match(wsdl.text(), /schemaLocation="https:\/\/127\.0\.0\.1:\d+\/wus\/2\.0\/afleverservice\/1\.2\?xsd=digipoort-koppelvlak-1\.2\.xsd"/);
    const xsd = await e2e.get('delivery', '/wus/2.0/afleverservice/1.2?xsd=digipoort-koppelvlak-1.2.xsd');
    assert.equal(xsd.status, 200);
    assert.match(xsd.text(), /<xsd:element name="afleverRequest">/);
  });

  test('a SOAP client generated from the served WSDL (the soap package) calls a recipient built to it', async () => {
    const { pki } = e2e;
    const recipient = e2e.wusRecipient('wus-ontvanger');
    const key = readFileSync(pki.server.key);
    const cert = readFileSync(pki.server.cert);
    const httpsAgent = new Agent({ key, cert, ca: readFileSync(pki.caChain), keepAlive: false });
    const client = await createClientAsync(`${e2e.chain.url('delivery')}/wus/2.0/afleverservice/1.2?wsdl`, { wsdl_options: { httpsAgent }, endpoint: recipient.url });
    client.setSecurity(
      new WSSecurityCert(key, cert, '', {
        hasTimeStamp: true,
        signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
        signatureTransformations: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
        additionalReferences: ['wsa:To', 'wsa:Action', 'wsa:MessageID'],
        signerOptions: { prefix: 'ds', idMode: 'wssecurity' },
      }),
    );
    const action = 'http://logius.nl/digipoort/wus/2.0/afleverservice/1.2/AfleverService/afleverenRequest';
    client.addSoapHeader(`<wsa:To xmlns:wsa="${NS.wsa}">${recipient.url}</wsa:To>`);
    client.addSoapHeader(`<wsa:Action xmlns:wsa="${NS.wsa}">${action}</wsa:Action>`);
    client.addSoapHeader(`<wsa:MessageID xmlns:wsa="${NS.wsa}">urn:uuid:${randomUUID()}</wsa:MessageID>`);
    const kenmerk = `soap-${randomUUID().slice(0, 8)}`;
    const afleveren = (client as unknown as { afleverenAsync(args: unknown, options: unknown): Promise<[Record<string, unknown>]> }).afleverenAsync;
    const [response] = await afleveren.call(
      client,
      {
        kenmerk,
        berichtsoort: 'wus-ontvanger',
        berichtkenmerk: kenmerk,
        tijdstempelAangeleverd: new Date().toISOString(),
        identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
        rolBelanghebbende: 'Bedrijf',
        berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'bericht.xml', inhoud: SAMPLES.invoice.toString('base64') },
      },
      { httpsAgent },
    );
    assert.equal(response.kenmerk, kenmerk, JSON.stringify(recipient.refused.at(-1)));
    assert.ok(response.tijdstempelAfgeleverd);
    assert.deepEqual(recipient.forKenmerk(kenmerk)?.content.bytes, SAMPLES.invoice);
  });
});
