import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { readFileSync } from 'node:fs';

import { TEST_PKI_OINS } from '@poort/pki';
import { Agent, request } from 'undici';

import { E2eChain, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';
import { validateAgainstKoppelvlak, verifyResponseSignature } from '../src/wus-response-checks.js';

const AFLEVERSTATUS_PATH = '/wus/2.0/afleverstatusservice/1.2';
const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);

/** The foutcode of a zetStatusFault as the generated client reports it. */
function faultWith(foutcode: string): (error: unknown) => boolean {
  return (error: unknown) => {
    const root = (error as { root?: unknown }).root;
    assert.ok(root, `not a SOAP fault: ${String(error)}`);
    assert.match(JSON.stringify(root), new RegExp(`"foutcode":"${foutcode}"`));
    return true;
  };
}

interface StatusList {
  StatusResultaat?: StatusResultaat[] | StatusResultaat;
}
const listed = (list: StatusList | undefined | null): StatusResultaat[] => {
  const items = list?.StatusResultaat;
  return Array.isArray(items) ? items : items ? [items] : [];
};

/*
 * A recipient reports its own processing result back (domain.md 1.8, 2.2): the shipped recipients belastingdienst
 * (OIN ...0101) and ministerie-bzk (...0102) are the test PKI's recipient-a and recipient-b. Messages go out by the
 * REST push to the test recipients; the recipients call the delivery service's zetStatus over WUS (a client generated
 * from the served AfleverStatusService.wsdl, signing with WS-Security) and over REST, with their certificates.
 */
describe('Recipient statuses: zetStatus over WUS and REST, seen by the sender through the status service', () => {
  let e2e: E2eChain;
  let zetStatusA: WusClient;
  let zetStatusB: WusClient;
  let senderStatus: WusClient;
  let ontvangerstatus: (kenmerk: string) => string;

  before(async () => {
    e2e = await E2eChain.start('zetstatus');
    assert.equal(e2e.pki.clients['recipient-a'].oin, TEST_PKI_OINS['recipient-a']);
    zetStatusA = await wusClient(e2e.pki, `${e2e.chain.url('delivery')}${AFLEVERSTATUS_PATH}`, 'recipient-a');
    zetStatusB = await wusClient(e2e.pki, `${e2e.chain.url('delivery')}${AFLEVERSTATUS_PATH}`, 'recipient-b');
    senderStatus = await wusClient(e2e.pki, `${e2e.chain.url('notification')}/wus/2.0/statusinformatieservice/1.2`, 'sender-a');
    ontvangerstatus = (kenmerk) => `${e2e.chain.url('delivery')}/api/v1/berichten/${encodeURIComponent(kenmerk)}/ontvangerstatus`;
  });
  after(async () => {
    await e2e?.stop();
  });

  async function delivered(berichtsoort: 'Omzetbelasting' | 'e-factuur'): Promise<string> {
    const receipt = await e2e.submit(aanlevering(berichtsoort, berichtsoort === 'e-factuur' ? SAMPLES.invoice : SAMPLES.vatInstance));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');
    return kenmerk;
  }

  test('the recipient\'s zetStatus 500 over WUS; forged ones before it are refused and leave no status', async () => {
    const kenmerk = await delivered('Omzetbelasting');
    assert.ok(e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    const report = { kenmerk, statuscode: '500', tijdstempelStatus: new Date().toISOString() };

    // recipient-b's certificate, for a message delivered to belastingdienst only: over WUS and over REST.
    await assert.rejects(zetStatusB.call('zetStatus', { ...report, statuscode: '510', statusFoutcode: { foutcode: 'VALS', foutbeschrijving: 'vervalst' } }), faultWith('ZETSTATUS_FORBIDDEN'));
    const forgedRest = await e2e.client('recipient-b').put<{ code: string }>(ontvangerstatus(kenmerk), { statuscode: '510', tijdstempelStatus: report.tijdstempelStatus, statusFoutcode: { foutcode: 'VALS', foutbeschrijving: 'vervalst' } });
    assert.equal(forgedRest.status, 403, JSON.stringify(forgedRest.body));
    assert.equal(forgedRest.body.code, 'ZETSTATUS_FORBIDDEN');
    // A sender's certificate is no recipient either.
    const bySender = await e2e.client('sender-a').put<{ code: string }>(ontvangerstatus(kenmerk), { statuscode: '500', tijdstempelStatus: report.tijdstempelStatus });
    assert.equal(bySender.status, 403);
    // A kenmerk that was never delivered.
    await assert.rejects(zetStatusA.call('zetStatus', { ...report, kenmerk: randomUUID() }), faultWith('ZETSTATUS_UNKNOWN'));

    const answer = await zetStatusA.call<{ kenmerk: string; statuscode: string }>('zetStatus', report);
    assert.deepEqual({ kenmerk: answer.kenmerk, statuscode: answer.statuscode }, { kenmerk, statuscode: '500' });
    // The same report again is answered the same and records nothing new.
    const again = await zetStatusA.call<{ kenmerk: string; statuscode: string }>('zetStatus', report);
    assert.equal(again.statuscode, '500');

    // The sender sees it, over REST and over the WUS statusinformatieservice; the forged 510 never came. Statuses of one
    // message travel in order, so the forged ones, had they been recorded, would be there before the 500.
    const statuses = await e2e.waitForStatus(kenmerk, '500');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400', '500']);
    assert.equal(statuses.at(-1)!.statusomschrijving, 'Validatie bij uitvragende partij geslaagd');
    const overWus = await senderStatus.call<{ getStatussenProcesReturn?: StatusList }>('getStatussenProces', { kenmerk });
    assert.deepEqual(codes(listed(overWus.getStatussenProcesReturn)), ['100', '110', '200', '301', '405', '400', '500']);
  });

  test('over REST: 510 with foutcode and details; a different status after it is refused (409)', async () => {
    const kenmerk = await delivered('Omzetbelasting');
    const rejected = {
      statuscode: '510',
      tijdstempelStatus: new Date().toISOString(),
      statusFoutcode: { foutcode: 'FRIS-BD-1', foutbeschrijving: 'Het fiscaal nummer in de instance wijkt af van de envelop' },
      statusdetails: 'context nl-cd:DocumentAdoptionStatus',
    };
    const answer = await e2e.client('recipient-a').put<{ kenmerk: string; statuscode: string }>(ontvangerstatus(kenmerk), rejected);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { kenmerk, statuscode: '510' });
    const repeated = await e2e.client('recipient-a').put(ontvangerstatus(kenmerk), rejected);
    assert.equal(repeated.status, 200);

    const conflicting = await e2e.client('recipient-a').put<{ code: string; details?: unknown }>(ontvangerstatus(kenmerk), { statuscode: '500', tijdstempelStatus: new Date().toISOString() });
    assert.equal(conflicting.status, 409, JSON.stringify(conflicting.body));
    assert.equal(conflicting.body.code, 'ZETSTATUS_CONFLICT');
    assert.deepEqual(conflicting.body.details, { statuscode: '510', foutcode: 'FRIS-BD-1' });

    const statuses = await e2e.waitForStatus(kenmerk, '510');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400', '510']);
    const status = statuses.at(-1)!;
    assert.deepEqual(status.statusFoutcode, rejected.statusFoutcode);
    assert.equal(status.statusdetails, rejected.statusdetails);
  });

  test('a message to two recipients: each reports its own, and the sender sees both', async () => {
    const kenmerk = await delivered('e-factuur');
    await zetStatusA.call('zetStatus', { kenmerk, statuscode: '500', tijdstempelStatus: new Date().toISOString() });
    const byB = await zetStatusB.call<{ statuscode: string }>('zetStatus', {
      kenmerk,
      statuscode: '510',
      tijdstempelStatus: new Date().toISOString(),
      statusFoutcode: { foutcode: 'BZK-42', foutbeschrijving: 'onbekende crediteur' },
    });
    assert.equal(byB.statuscode, '510');
    await e2e.waitForStatus(kenmerk, '500');
    const statuses = await e2e.waitForStatus(kenmerk, '510');
    assert.deepEqual(codes(statuses).filter((code) => code.startsWith('5')).sort(), ['500', '510']);
    assert.equal(statuses.find((status) => status.statuscode === '510')?.statusFoutcode?.foutcode, 'BZK-42');
  });

  test('bad reports are refused with a code: a status a recipient does not set, 510 without foutcode, a time in the future, not the interface, too long', async () => {
    const kenmerk = await delivered('Omzetbelasting');
    const url = ontvangerstatus(kenmerk);
    const cases: [unknown, number, string][] = [
      [{ statuscode: '400', tijdstempelStatus: new Date().toISOString() }, 400, 'ZETSTATUS_BAD_CODE'],
      [{ statuscode: '510', tijdstempelStatus: new Date().toISOString() }, 400, 'ZETSTATUS_NO_FOUT'],
      [{ statuscode: '500', tijdstempelStatus: '2099-01-01T00:00:00Z' }, 400, 'ZETSTATUS_BAD_TIME'],
      [{ statuscode: '500', tijdstempelStatus: 'gisteren' }, 400, 'AFS100'],
      [{ statuscode: '500', tijdstempelStatus: new Date().toISOString(), extra: true }, 400, 'AFS100'],
      [{ statuscode: '500', tijdstempelStatus: new Date().toISOString(), statusdetails: 'x'.repeat(300 * 1024) }, 413, 'ZETSTATUS_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await e2e.client('recipient-a').put<{ code: string }>(url, body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(answer.body.code, code, JSON.stringify(answer.body));
    }
    await assert.rejects(zetStatusA.call('zetStatus', { kenmerk, statuscode: '410', tijdstempelStatus: new Date().toISOString() }), faultWith('ZETSTATUS_BAD_CODE'));
    const unknown = await e2e.client('recipient-a').put<{ code: string }>(ontvangerstatus(randomUUID()), { statuscode: '500', tijdstempelStatus: new Date().toISOString() });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'ZETSTATUS_UNKNOWN');
    const { rows } = await e2e.db.query('SELECT recipient_statuscode FROM deliveries WHERE kenmerk = $1', [kenmerk]);
    assert.deepEqual(rows, [{ recipient_statuscode: null }]);
  });

  test('a zetStatus without a client certificate is a SOAP fault 0002, before any SOAP is read', async () => {
    const dispatcher = new Agent({ connect: { ca: readFileSync(e2e.pki.caChain) } });
    try {
      const response = await request(`${e2e.chain.url('delivery')}${AFLEVERSTATUS_PATH}`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body: '<x/>',
      });
      const body = await response.body.text();
      assert.equal(response.statusCode, 500);
      assert.match(body, /<foutcode>0002<\/foutcode>/);
      assert.match(body, /zetStatusFault/);
    } finally {
      await dispatcher.close();
    }
  });

  test('the delivery service counts the reports by outcome and code', async () => {
    const metrics = (await e2e.get('delivery', '/metrics')).text();
    const value = (outcome: string, code: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith('poort_recipient_status_reports_total{') && line.includes(`outcome="${outcome}"`) && line.includes(`code="${code}"`))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    assert.ok(value('recorded', '500') >= 2, metrics.split('\n').filter((line) => line.startsWith('poort_recipient')).join('\n'));
    assert.ok(value('recorded', '510') >= 2);
    assert.ok(value('repeated', '500') >= 1);
    assert.ok(value('refused', 'ZETSTATUS_FORBIDDEN') >= 3);
    assert.ok(value('refused', 'ZETSTATUS_CONFLICT') >= 1);
  });

  test('every zetStatus answer and fault validates against the XSD and is signed by Poort, confirming the request\'s signature', () => {
    const all = [...zetStatusA.responses, ...zetStatusB.responses];
    assert.ok(all.length >= 6, `only ${all.length} responses captured`);
    for (const body of all) {
      assert.deepEqual(validateAgainstKoppelvlak(body), [], body.slice(0, 2000));
      const { signedParts, confirmations } = verifyResponseSignature(body, e2e.pki.server.cert);
      assert.ok(signedParts.some((part) => part.endsWith('Body')), `Body not signed: ${signedParts.join(', ')}`);
      assert.equal(confirmations, 1);
    }
  });
});
