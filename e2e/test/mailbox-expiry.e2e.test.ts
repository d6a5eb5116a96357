import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { generateTestPki, type TestPki } from '@poort/pki';
import { decryptWithNodeJose, decryptWithPyca, waitFor } from '@poort/testing';

import { E2eChain, ROOT, SAMPLES, aanlevering } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';
import { validateAgainstKoppelvlak } from '../src/wus-response-checks.js';

/*
 * Pull recipients' follow-ups through the running chain: a recipient whose profile says `encrypt` fetches over the
 * OphaalService (SOAP client generated from OphaalService.wsdl) and over REST, and independent libraries (pyca for XML
 * Encryption, node-jose for JWE) decrypt what it got with its key; a message that its pull recipient does not fetch
 * within the recipient's retry window ends at a final 420/AFS600 with retour afzender, which the sender sees.
 */

const KLUIS_OIN = '00000099000000000102';
const POSTBUS_OIN = '00000099000000000101';

interface Bestand {
  mimeType: string;
  bestandsnaam: string;
  inhoud: string;
}
interface BerichtResultaat {
  kenmerk: string;
  berichtInhoud: Bestand;
  berichtBijlagen?: { bijlage: Bestand | Bestand[] };
}

function items<T>(response: Record<string, unknown> | null | undefined, returnName: string, itemName: string): T[] {
  const list = (response?.[returnName] as Record<string, unknown> | null | undefined)?.[itemName];
  return (Array.isArray(list) ? list : list ? [list] : []) as T[];
}

const isFault = (foutcode: string) => (error: Error) => new RegExp(foutcode).test(JSON.stringify((error as { root?: unknown }).root ?? error.message));

describe('pull mailboxes: encrypted fetches and messages that are not fetched in time', () => {
  let pki: TestPki;
  let e2e: E2eChain;
  let kluis: WusClient;
  let postbus: WusClient;

  // A PDF-like attachment with every byte value: what must be decrypted is the exact bytes.
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))]);
  const bijlage = { mimeType: 'application/pdf', bestandsnaam: 'specificatie.pdf', inhoud: pdf.toString('base64') };

  before(async () => {
    pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
    e2e = await E2eChain.start('mailbox-expiry', {
      extraConfig: {
        recipients: [
          // Fetches with recipient-b's certificate and wants its content encrypted for it.
          { id: 'kluis', name: 'Kluis (pull, encrypted)', oin: KLUIS_OIN, channel: 'pull', encrypt: true, certificate: pki.clients['recipient-b'].cert },
          // Has 4 seconds to fetch what is parked for it.
          { id: 'trage-postbus', name: 'Trage postbus (pull)', oin: POSTBUS_OIN, channel: 'pull', retryWindow: '4s' },
        ],
        messageTypes: [
          {
            berichtsoort: 'kluis-factuur',
            description: 'an invoice fetched encrypted',
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'standard:ubl-2.1.xsd' },
            routing: { routes: [{ recipient: 'kluis' }] },
            delivery: { retryWindow: '1h' },
          },
          {
            berichtsoort: 'niet-opgehaald',
            description: 'an invoice nobody fetches',
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'standard:ubl-2.1.xsd' },
            routing: { routes: [{ recipient: 'trage-postbus' }] },
            delivery: { retryWindow: '1h' },
          },
        ],
      },
    });
    const endpoint = `${e2e.chain.url('delivery')}/wus/2.0/ophaalservice/1.2`;
    kluis = await wusClient(e2e.pki, endpoint, 'recipient-b');
    postbus = await wusClient(e2e.pki, endpoint, 'recipient-a');
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

  test('over the OphaalService an encrypting recipient gets berichtInhoud and bijlage as XML Encryption that pyca decrypts', async () => {
    const kenmerk = await submitParked('kluis-factuur', { berichtBijlagen: [bijlage] });
    const [bericht, ...rest] = items<BerichtResultaat>(await kluis.call('getBerichtenKenmerk', { kenmerk }), 'getBerichtenKenmerkReturn', 'BerichtResultaat');
    assert.equal(rest.length, 0);
    const { berichtInhoud } = bericht!;
    assert.equal(berichtInhoud.mimeType, 'application/xenc+xml');
    const encrypted = Buffer.from(berichtInhoud.inhoud, 'base64');
    assert.match(encrypted.toString('utf8'), /EncryptedData/);
    assert.deepEqual(decryptWithPyca(encrypted, pki.clients['recipient-b'].key), SAMPLES.invoice);
    const bijlagen = bericht!.berichtBijlagen?.bijlage;
    const [eerste] = Array.isArray(bijlagen) ? bijlagen : bijlagen ? [bijlagen] : [];
    assert.deepEqual([eerste?.mimeType, eerste?.bestandsnaam], ['application/xenc+xml', 'specificatie.pdf']);
    assert.deepEqual(decryptWithPyca(Buffer.from(eerste!.inhoud, 'base64'), pki.clients['recipient-b'].key), pdf);
    await e2e.waitForStatus(kenmerk, '400');
    for (const body of kluis.responses) assert.deepEqual(validateAgainstKoppelvlak(body), [], body.slice(0, 2000));
  });

  test('over REST the same recipient gets the content as a JWE that node-jose decrypts', async () => {
    const kenmerk = await submitParked('kluis-factuur');
    const content = await e2e.get('delivery', `/api/v1/mailbox/berichten/${kenmerk}`, 'recipient-b');
    assert.equal(content.status, 200, content.text());
    assert.equal(content.headers['content-type'], 'application/jose');
    assert.equal(content.headers['x-poort-content-type'], 'application/xml');
    const { plaintext, header } = await decryptWithNodeJose(content.body, readFileSync(pki.clients['recipient-b'].key));
    assert.deepEqual(plaintext, SAMPLES.invoice);
    assert.equal(header['cty'], 'application/xml');
    await e2e.waitForStatus(kenmerk, '400');

    const list = await e2e.get('delivery', '/api/v1/mailbox/berichten?berichtsoort=kluis-factuur', 'recipient-b');
    const berichten = list.json<{ kenmerk: string; berichtInhoud: Bestand & { oorspronkelijkMimeType?: string } }[]>();
    const same = berichten.find((item) => item.kenmerk === kenmerk)!;
    assert.deepEqual([same.berichtInhoud.mimeType, same.berichtInhoud.oorspronkelijkMimeType], ['application/jose', 'application/xml']);
    assert.deepEqual((await decryptWithNodeJose(Buffer.from(same.berichtInhoud.inhoud, 'base64'), readFileSync(pki.clients['recipient-b'].key))).plaintext, SAMPLES.invoice);
  });

  test('a message its pull recipient does not fetch within its retry window ends at a final 420/AFS600 that the sender sees', async () => {
    const receipt = await e2e.submit(aanlevering('niet-opgehaald', SAMPLES.invoice, { aanleverkenmerk: 'niet-opgehaald-1' }));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await waitFor('final 420', async () => {
      const list = await e2e.statuses(kenmerk);
      return list.some((status) => status.statusFoutcode?.foutcode === 'AFS600') ? list : undefined;
    }, 30_000, 250);
    assert.deepEqual(statuses.map((status) => status.statuscode), ['100', '110', '200', '301', '405', '420']);
    assert.match(statuses[5]!.statusFoutcode!.foutbeschrijving, /niet opgehaald door trage-postbus binnen het afleveringsvenster .*retour afzender/);

    await assert.rejects(postbus.call('getBerichtenKenmerk', { kenmerk }), isFault('OPS100'), 'no longer in the mailbox');
    assert.deepEqual(items(await postbus.call('getNieuweBerichtenLijst', {}), 'getNieuweBerichtenLijstReturn', 'BerichtLijstResultaat'), []);
    assert.equal((await e2e.get('delivery', `/api/v1/mailbox/berichten/${kenmerk}`, 'recipient-a')).status, 404);
    const { rows } = await e2e.db.query('SELECT 1 FROM mailbox WHERE kenmerk = $1', [kenmerk]);
    assert.equal(rows.length, 0);

    const notice = await waitFor('retour afzender notice', async () => {
      const notices = await e2e.client('sender-a').get<{ kenmerk: string; aanleverkenmerk: string; reden: { foutcode: string } }[]>(
        `${e2e.chain.url('notification')}/api/v1/retour-afzender`,
      );
      return notices.body.find((entry) => entry.kenmerk === kenmerk);
    });
    assert.equal(notice.aanleverkenmerk, 'niet-opgehaald-1');
    assert.equal(notice.reden.foutcode, 'AFS600');
  });
});
