import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';
import { validateAgainstKoppelvlak, verifyResponseSignature } from '../src/wus-response-checks.js';

/*
 * Pull recipients through the running chain: a ministry (recipient-a's OIN) whose profile says `pull`, and a
 * business (sender-b's OIN) that receives mededelingen from government in its mailbox. Both fetch with a SOAP client
 * generated from OphaalService.wsdl and over REST.
 */

const MINISTERIE_OIN = '00000099000000000101';
const BEDRIJF_OIN = '00000099000000000002';
const BELANGHEBBENDE = { nummer: '001000044B37', type: 'Fi' };

interface BerichtResultaat {
  kenmerk: string;
  berichtsoort: string;
  berichtkenmerk: string;
  identiteitAanleveraar?: string;
  berichtInhoud: { mimeType: string; bestandsnaam: string; inhoud: string };
}
interface BerichtLijstResultaat {
  kenmerk: string;
  berichtsoort: string;
  identiteitBelanghebbende: { nummer: string; type: string };
}

/** The items of an ArrayOf… as the soap package hands them: absent, one object, or an array. */
function items<T>(response: Record<string, unknown> | null | undefined, returnName: string, itemName: string): T[] {
  const list = (response?.[returnName] as Record<string, unknown> | null | undefined)?.[itemName];
  return (Array.isArray(list) ? list : list ? [list] : []) as T[];
}

const isFault = (foutcode: string) => (error: Error) => new RegExp(foutcode).test(JSON.stringify((error as { root?: unknown }).root ?? error.message));

describe('pull mailboxes: the OphaalService and the REST mailbox of the delivery service', () => {
  let e2e: E2eChain;
  let ministerie: WusClient;
  let bedrijf: WusClient;
  let ander: WusClient;

  before(async () => {
    e2e = await E2eChain.start('mailbox', {
      extraConfig: {
        recipients: [
          { id: 'ministerie-postbus', name: 'Ministerie, postbus (pull)', oin: MINISTERIE_OIN, channel: 'pull' },
          // A business is a pull recipient too: its mailbox holds the mededelingen government addresses to its OIN.
          { id: 'bedrijf-b', name: 'Bedrijf B, mededelingen', oin: BEDRIJF_OIN, channel: 'pull' },
        ],
        messageTypes: [
          {
            berichtsoort: 'ophaal-factuur',
            description: 'an invoice a ministry fetches from its mailbox',
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'standard:ubl-2.1.xsd' },
            routing: { routes: [{ recipient: 'ministerie-postbus' }] },
            delivery: { retryWindow: '1h' },
          },
          {
            berichtsoort: 'Mededeling',
            description: 'government to a business, addressed by identiteitOntvanger',
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'standard:ubl-2.1.xsd' },
            routing: { routes: [{ recipient: 'bedrijf-b', whenOntvanger: BEDRIJF_OIN }] },
            delivery: { retryWindow: '1h' },
          },
        ],
      },
    });
    const endpoint = `${e2e.chain.url('delivery')}/wus/2.0/ophaalservice/1.2`;
    ministerie = await wusClient(e2e.pki, endpoint, 'recipient-a');
    bedrijf = await wusClient(e2e.pki, endpoint, 'sender-b');
    ander = await wusClient(e2e.pki, endpoint, 'recipient-b');
  });
  after(async () => {
    await e2e?.stop();
  });

  async function submitParked(berichtsoort: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const receipt = await e2e.submit(aanlevering(berichtsoort, SAMPLES.invoice, overrides));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await waitFor(`${kenmerk} parked`, async () => {
      const { rows } = await e2e.db.query<{ state: string }>('SELECT state FROM deliveries WHERE kenmerk = $1', [kenmerk]);
      return rows[0]?.state === 'parked' ? true : undefined;
    }, 30_000, 150);
    return kenmerk;
  }

  const codes = async (kenmerk: string) => (await e2e.statuses(kenmerk)).map((status) => status.statuscode);

  test('all six operations: a parked message is listed, reaches 400 when fetched, and is new only once for the certificate', async () => {
    const kenmerk = await submitParked('ophaal-factuur');
    assert.deepEqual(await codes(kenmerk), ['100', '110', '200', '301', '405'], 'parked is not yet delivered');

    const nieuweLijst = items<BerichtLijstResultaat>(await ministerie.call('getNieuweBerichtenLijst', {}), 'getNieuweBerichtenLijstReturn', 'BerichtLijstResultaat');
    assert.deepEqual(nieuweLijst, [{ berichtsoort: 'ophaal-factuur', identiteitBelanghebbende: BELANGHEBBENDE, kenmerk }]);
    const lijst = items<BerichtLijstResultaat>(await ministerie.call('getBerichtenLijst', { berichtsoort: 'ophaal-factuur' }), 'getBerichtenLijstReturn', 'BerichtLijstResultaat');
    assert.deepEqual(lijst.map((item) => item.kenmerk), [kenmerk]);
    assert.ok(!(await codes(kenmerk)).includes('400'), 'a list is not a fetch');

    const request = { berichtsoort: 'ophaal-factuur', identiteitBelanghebbende: BELANGHEBBENDE };
    const [bericht, ...rest] = items<BerichtResultaat>(await ministerie.call('getNieuweBerichten', request), 'getNieuweBerichtenReturn', 'BerichtResultaat');
    assert.equal(rest.length, 0);
    assert.equal(bericht!.kenmerk, kenmerk);
    assert.equal(bericht!.berichtkenmerk, kenmerk, 'Poort\'s kenmerk, as a WUS push has it');
    assert.equal(bericht!.identiteitAanleveraar, '00000099000000000001');
    assert.deepEqual(Buffer.from(bericht!.berichtInhoud.inhoud, 'base64'), SAMPLES.invoice);
    await e2e.waitForStatus(kenmerk, '400');

    assert.deepEqual(items(await ministerie.call('getNieuweBerichten', request), 'getNieuweBerichtenReturn', 'BerichtResultaat'), [], 'nothing new the second time');
    assert.deepEqual(items(await ministerie.call('getNieuweBerichtenLijst', {}), 'getNieuweBerichtenLijstReturn', 'BerichtLijstResultaat'), []);
    assert.deepEqual(items(await ministerie.call('getNieuweBerichtenKenmerk', { kenmerk }), 'getNieuweBerichtenKenmerkReturn', 'BerichtResultaat'), []);
    const again = items<BerichtResultaat>(await ministerie.call('getBerichten', request), 'getBerichtenReturn', 'BerichtResultaat');
    assert.deepEqual(again.map((item) => item.kenmerk), [kenmerk], 'getBerichten answers what was fetched before');
    const byKenmerk = items<BerichtResultaat>(await ministerie.call('getBerichtenKenmerk', { kenmerk }), 'getBerichtenKenmerkReturn', 'BerichtResultaat');
    assert.deepEqual(Buffer.from(byKenmerk[0]!.berichtInhoud.inhoud, 'base64'), SAMPLES.invoice);

    assert.deepEqual((await codes(kenmerk)).filter((code) => code === '400'), ['400'], 'one 400, however often it is fetched');
  });

  test('the same over REST, sharing the certificate\'s cursor with the OphaalService', async () => {
    const kenmerk = await submitParked('ophaal-factuur');
    const lijst = await e2e.get('delivery', '/api/v1/mailbox/lijst?nieuw=true', 'recipient-a');
    assert.equal(lijst.status, 200, lijst.text());
    assert.deepEqual(lijst.json(), [{ berichtsoort: 'ophaal-factuur', identiteitBelanghebbende: BELANGHEBBENDE, kenmerk }], 'only the new one: the first was fetched over WUS');

    const berichten = await e2e.get('delivery', '/api/v1/mailbox/berichten?nieuw=true&berichtsoort=ophaal-factuur', 'recipient-a');
    assert.equal(berichten.status, 200, berichten.text());
    const [bericht, ...rest] = berichten.json<BerichtResultaat[]>();
    assert.equal(rest.length, 0);
    assert.equal(bericht!.kenmerk, kenmerk);
    assert.deepEqual(Buffer.from(bericht!.berichtInhoud.inhoud, 'base64'), SAMPLES.invoice);
    await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual((await e2e.get('delivery', '/api/v1/mailbox/berichten?nieuw=true', 'recipient-a')).json(), []);

    const content = await e2e.get('delivery', `/api/v1/mailbox/berichten/${kenmerk}`, 'recipient-a');
    assert.equal(content.status, 200);
    assert.deepEqual(content.body, SAMPLES.invoice);
    assert.equal(content.headers['content-type'], 'application/xml');
    assert.equal(content.headers['x-poort-kenmerk'], kenmerk);
    assert.equal(content.headers['x-poort-berichtsoort'], 'ophaal-factuur');
    assert.equal(content.headers['x-poort-message-id'], `${kenmerk}:ministerie-postbus`);

    const backwards = await e2e.get('delivery', '/api/v1/mailbox/berichten?tijdstempelVanaf=2026-02-01T00:00:00Z&tijdstempelTot=2026-01-01T00:00:00Z', 'recipient-a');
    assert.equal(backwards.status, 400, backwards.text());
    assert.match(backwards.text(), /OPS100/);
    assert.equal((await e2e.get('delivery', '/api/v1/mailbox/berichten?nieuw=misschien', 'recipient-a')).status, 400);
    assert.equal((await e2e.get('delivery', '/api/v1/mailbox/berichten', 'anonymous')).status, 401);
  });

  test('a mededeling to a business is fetched by that business only', async () => {
    const kenmerk = await submitParked('Mededeling', { identiteitOntvanger: { nummer: BEDRIJF_OIN, type: 'OIN' }, rolOntvanger: 'Bedrijf' });

    await assert.rejects(ander.call('getBerichtenKenmerk', { kenmerk }), isFault('OPS100'), 'another OIN: no such message');
    await assert.rejects(ministerie.call('getNieuweBerichtenKenmerk', { kenmerk }), isFault('OPS100'));
    assert.deepEqual(items(await ander.call('getNieuweBerichtenLijst', {}), 'getNieuweBerichtenLijstReturn', 'BerichtLijstResultaat'), []);
    assert.equal((await e2e.get('delivery', `/api/v1/mailbox/berichten/${kenmerk}`, 'recipient-b')).status, 404);
    assert.ok(!(await codes(kenmerk)).includes('400'));

    const [mededeling] = items<BerichtResultaat & { identiteitOntvanger?: { nummer: string } }>(
      await bedrijf.call('getNieuweBerichten', { identiteitBelanghebbende: BELANGHEBBENDE }),
      'getNieuweBerichtenReturn',
      'BerichtResultaat',
    );
    assert.equal(mededeling?.kenmerk, kenmerk);
    assert.equal(mededeling?.identiteitOntvanger?.nummer, BEDRIJF_OIN);
    assert.deepEqual(Buffer.from(mededeling!.berichtInhoud.inhoud, 'base64'), SAMPLES.invoice);
    await e2e.waitForStatus(kenmerk, '400');
  });

  test('a window that ends before it starts is an ophaalFault OPS100', async () => {
    await assert.rejects(
      ministerie.call('getBerichtenLijst', { tijdstempelVanaf: '2026-02-01T00:00:00Z', tijdstempelTot: '2026-01-01T00:00:00Z' }),
      isFault('OPS100'),
    );
  });

  test('every OphaalService response validates against the published XSD and carries a signature that verifies', () => {
    const all = [...ministerie.responses, ...bedrijf.responses, ...ander.responses];
    assert.ok(all.length >= 12, `only ${all.length} responses captured`);
    for (const body of all) {
      assert.deepEqual(validateAgainstKoppelvlak(body), [], body.slice(0, 2000));
      const { signedParts } = verifyResponseSignature(body, e2e.pki.server.cert);
      assert.ok(signedParts.some((part) => part.endsWith('Body')), `Body not signed: ${signedParts.join(', ')}`);
    }
  });
});
