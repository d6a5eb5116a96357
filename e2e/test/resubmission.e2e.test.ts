import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';
import { DOMParser } from '@xmldom/xmldom';

import { E2eChain, SAMPLES, aanlevering, rawExchange, requestHead } from '../src/index.js';
import { AANLEVEREN_ACTION, AANLEVER_PATH, KV, RawSoapClient, aanleverRequest, signerFrom, type SoapExchange } from '../src/wus-hostile-requests.js';

// Safe resubmission against the running chain: a client that timed out submits again, under the same
// aanleverkenmerk (REST and WUS) or the same Idempotency-Key (REST), and gets the first receipt; Poort stores nothing
// new and the recipient gets the message once. Every message here is an Omzetbelasting, routed to belastingdienst only.

/** The parts of a receipt that make it the first one: the same process, accepted at the same moment. */
interface Receipt {
  readonly kenmerk: string;
  readonly tijdstempelAangeleverd: string;
  readonly aanleverkenmerk?: string;
  readonly statuscode: string;
}

interface Snapshot {
  readonly messages: number;
  readonly payloads: number;
  readonly payload_chunks: number;
  readonly outbox: number;
  /** Outbox rows ever written (the sequence): the relay empties the table within milliseconds, the sequence stays. */
  readonly outboxWritten: number;
}

describe('safe resubmission, end to end: the first receipt, nothing stored again, delivered once', () => {
  let e2e: E2eChain;
  let wus: RawSoapClient;
  let wusEndpoint: string;

  before(async () => {
    e2e = await E2eChain.start('resubmission');
    wus = new RawSoapClient(e2e.pki, 'sender-a');
    wusEndpoint = `${e2e.chain.url('ingress')}${AANLEVER_PATH}`;
  });
  after(async () => {
    await wus?.close();
    await e2e?.stop();
  });

  const belastingdienst = () => e2e.recipient('belastingdienst');

  const restSubmit = (body: unknown, headers: Record<string, string> = {}) =>
    e2e.client('sender-a').post<Record<string, unknown>>(`${e2e.chain.url('ingress')}/api/v1/aanleveren`, body, headers);

  const restReceipt = async (body: unknown, headers: Record<string, string> = {}): Promise<Receipt> => {
    const response = await restSubmit(body, headers);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as unknown as Receipt;
  };

  /** A signed WUS aanleverRequest for an Omzetbelasting: each call has a fresh wsa:MessageID and Timestamp. */
  const wusRequest = (aanleverkenmerk: string, content = SAMPLES.vatInstance) =>
    aanleverRequest({ to: wusEndpoint, signer: signerFrom(e2e.pki, 'sender-a'), content, aanleverkenmerk });

  const wusSend = (xml: string): Promise<SoapExchange> => wus.post(wusEndpoint, xml, { soapAction: AANLEVEREN_ACTION });

  const wusReceipt = async (xml: string): Promise<Receipt> => {
    const response = await wusSend(xml);
    assert.equal(response.status, 200, response.body.slice(0, 2000));
    const doc = new DOMParser().parseFromString(response.body, 'text/xml');
    const field = (name: string) => doc.getElementsByTagNameNS(KV, name)[0]?.textContent?.trim();
    const aanleverkenmerk = field('aanleverkenmerk');
    return {
      kenmerk: field('kenmerk') ?? '',
      tijdstempelAangeleverd: field('tijdstempelAangeleverd') ?? '',
      ...(aanleverkenmerk === undefined ? {} : { aanleverkenmerk }),
      statuscode: field('statuscode') ?? '',
    };
  };

  const snapshot = async (): Promise<Snapshot> => {
    const { rows } = await e2e.db.query<{ written: number }>('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS written FROM outbox_id_seq');
    return {
      messages: await e2e.count('messages'),
      payloads: await e2e.count('payloads'),
      payload_chunks: await e2e.count('payload_chunks'),
      outbox: await e2e.count('outbox'),
      outboxWritten: rows[0]!.written,
    };
  };

  /** The message went the whole way (400), reached belastingdienst, and every outbox is empty: the chain is quiet. */
  const settle = async (kenmerk: string): Promise<void> => {
    await e2e.waitForStatus(kenmerk, '400');
    await waitFor(`delivery of ${kenmerk}`, async () => belastingdienst().forKenmerk(kenmerk));
    await waitFor('the outbox to drain', async () => ((await e2e.count('outbox')) === 0 ? true : undefined), 30_000, 100);
  };

  /** On a quiet chain: the resubmission answers with the first receipt and not one row is written. */
  const assertFirstReceiptStoringNothing = async (resubmit: () => Promise<Receipt>, first: Receipt, what: string): Promise<void> => {
    const before = await snapshot();
    const again = await resubmit();
    assert.deepEqual(
      { kenmerk: again.kenmerk, tijdstempelAangeleverd: again.tijdstempelAangeleverd, statuscode: again.statuscode },
      { kenmerk: first.kenmerk, tijdstempelAangeleverd: first.tijdstempelAangeleverd, statuscode: first.statuscode },
      `${what}: the first receipt`,
    );
    assert.deepEqual(await snapshot(), before, `${what}: nothing stored`);
  };

  /** One message, one delivery, one POST at the recipient, since `postsBefore`. */
  const assertDeliveredOnce = async (kenmerk: string, postsBefore: number, messagesBefore: number): Promise<void> => {
    assert.equal(await e2e.count('messages'), messagesBefore + 1, 'one message');
    const deliveries = [...belastingdienst().deliveries.values()];
    assert.equal(deliveries.filter((delivery) => delivery.kenmerk === kenmerk).length, 1, 'one delivery for the kenmerk');
    assert.equal(belastingdienst().posts - postsBefore, 1, 'one POST at belastingdienst');
  };

  test('REST, the same aanleverkenmerk: the first receipt at once and once the message is delivered; delivered once', async () => {
    const postsBefore = belastingdienst().posts;
    const messagesBefore = await e2e.count('messages');
    const request = aanlevering('Omzetbelasting', SAMPLES.vatInstance);

    const first = await restReceipt(request);
    assert.equal(first.statuscode, '100');
    assert.deepEqual(await restReceipt(request), first, 'a retry while the first is on its way: the whole first receipt');
    await settle(first.kenmerk);
    await assertFirstReceiptStoringNothing(() => restReceipt(request), first, 'a retry once it is delivered');

    await assertDeliveredOnce(first.kenmerk, postsBefore, messagesBefore);
    const { rows } = await e2e.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE aanleverkenmerk = $1', [request.aanleverkenmerk]);
    assert.equal(rows[0]!.n, 1);
  });

  test('REST, the same Idempotency-Key without an aanleverkenmerk: the first receipt; delivered once', async () => {
    const postsBefore = belastingdienst().posts;
    const messagesBefore = await e2e.count('messages');
    const request = aanlevering('Omzetbelasting', SAMPLES.vatInstance, { aanleverkenmerk: undefined });
    const headers = { 'idempotency-key': `bulk-2025-06/${Date.now()}/17` };

    const first = await restReceipt(request, headers);
    assert.equal(first.aanleverkenmerk, undefined);
    assert.deepEqual(await restReceipt(request, headers), first, 'a retry while the first is on its way: the whole first receipt');
    await settle(first.kenmerk);
    await assertFirstReceiptStoringNothing(() => restReceipt(request, headers), first, 'a retry once it is delivered');

    await assertDeliveredOnce(first.kenmerk, postsBefore, messagesBefore);
  });

  test('WUS, a second signed request (new wsa:MessageID) with the same aanleverkenmerk and content: the first receipt; delivered once', async () => {
    const postsBefore = belastingdienst().posts;
    const messagesBefore = await e2e.count('messages');
    const aanleverkenmerk = `wus-herhaal-${Date.now()}`;

    const firstRequest = wusRequest(aanleverkenmerk);
    const first = await wusReceipt(firstRequest.xml);
    assert.equal(first.aanleverkenmerk, aanleverkenmerk);
    const retry = wusRequest(aanleverkenmerk);
    assert.notEqual(retry.messageId, firstRequest.messageId, 'a new wsa:MessageID: not a replay of the same request');
    assert.deepEqual(await wusReceipt(retry.xml), first, 'a retry while the first is on its way: the first receipt');
    await settle(first.kenmerk);
    await assertFirstReceiptStoringNothing(() => wusReceipt(wusRequest(aanleverkenmerk).xml), first, 'a WUS retry once it is delivered');
    // The fingerprint is of the request as parsed: the same aanleverRequest as REST JSON is the same request.
    const asJson = {
      berichtsoort: 'Omzetbelasting',
      aanleverkenmerk,
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'omzetbelasting.xbrl', inhoud: SAMPLES.vatInstance.toString('base64') },
    };
    await assertFirstReceiptStoringNothing(() => restReceipt(asJson), first, 'the same request over REST');

    await assertDeliveredOnce(first.kenmerk, postsBefore, messagesBefore);
  });

  test('the same key with other content is refused with ALS100 and stores nothing, on REST and on WUS', async () => {
    const request = aanlevering('Omzetbelasting', SAMPLES.vatInstance);
    const headers = { 'idempotency-key': `ander-${Date.now()}` };
    const first = await restReceipt(request, headers);
    await settle(first.kenmerk);
    const other = Buffer.concat([SAMPLES.vatInstance, Buffer.from('<!-- een ander bericht -->')]);

    const before = await snapshot();
    const byAanleverkenmerk = await restSubmit(aanlevering('Omzetbelasting', other, { aanleverkenmerk: request.aanleverkenmerk }));
    assert.equal(byAanleverkenmerk.status, 400, JSON.stringify(byAanleverkenmerk.body));
    assert.equal(byAanleverkenmerk.body.code, 'ALS100');
    assert.match(String(byAanleverkenmerk.body.message), /^het aanleverkenmerk e2e-\w+ is binnen 24 uur al gebruikt voor een ander bericht/);

    const byKey = await restSubmit(aanlevering('Omzetbelasting', other), headers);
    assert.equal(byKey.status, 400, JSON.stringify(byKey.body));
    assert.equal(byKey.body.code, 'ALS100');
    assert.match(String(byKey.body.message), /^de Idempotency-Key ander-\d+ is binnen 24 uur al gebruikt voor een ander bericht/);

    const overWus = await wusSend(wusRequest(request.aanleverkenmerk, other).xml);
    assert.equal(overWus.status, 500, overWus.body.slice(0, 1000));
    assert.equal(overWus.fault?.faultcodeLocal, 'Client');
    assert.equal(overWus.fault?.foutcode, 'ALS100');
    assert.match(overWus.fault?.foutbeschrijving ?? '', /al gebruikt voor een ander bericht/);
    assert.deepEqual(await snapshot(), before, 'nothing stored for a refused resubmission');
  });

  test('an Idempotency-Key that is not 1–255 printable ASCII characters, or that comes twice, is 400 ALS100', async () => {
    const before = await snapshot();
    const tooLong = await restSubmit(aanlevering('Omzetbelasting', SAMPLES.vatInstance), { 'idempotency-key': 'k'.repeat(256) });
    assert.equal(tooLong.status, 400, JSON.stringify(tooLong.body));
    assert.equal(tooLong.body.code, 'ALS100');
    assert.match(String(tooLong.body.message), /Idempotency-Key moet 1 tot 255 afdrukbare ASCII-tekens bevatten/);

    const body = Buffer.from(JSON.stringify(aanlevering('Omzetbelasting', SAMPLES.vatInstance)));
    const { port } = new URL(e2e.chain.url('ingress'));
    const twice = await rawExchange({
      port: Number(port),
      pki: e2e.pki,
      as: 'sender-a',
      timeoutMs: 10_000,
      steps: [
        requestHead('POST', '/api/v1/aanleveren', [
          ['host', `127.0.0.1:${port}`],
          ['content-type', 'application/json'],
          ['content-length', String(body.length)],
          ['idempotency-key', 'a'],
          ['idempotency-key', 'b'],
        ]),
        body,
      ],
    });
    assert.equal(twice.status, 400, twice.body);
    assert.deepEqual(JSON.parse(twice.body), { code: 'ALS100', message: 'de header Idempotency-Key komt meer dan eens voor' });
    assert.deepEqual(await snapshot(), before);
  });
});
