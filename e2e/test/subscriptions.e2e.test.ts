import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { HeadedResponse } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';

// Subscriptions (Digilevering-like): a recipient subscribes to a message type through routing's API with its own
// certificate, and the next message of that type reaches it too, with no restart; no other OIN can see or touch its
// subscription, an operator can; deleting it stops the deliveries. recipient-b's OIN is ministerie-bzk's in the
// shipped recipients.yaml, recipient-a's belastingdienst's.

type Caller = 'recipient-a' | 'recipient-b' | 'operator' | 'sender-a' | 'anonymous';

interface SubscriptionBody {
  id: string;
  subscriberOin: string;
  recipientId: string;
  berichtsoort: string;
  identiteitOntvanger?: string;
  format: string;
  version: number;
}

describe('subscriptions: a recipient subscribes through the API and receives the next message, without a restart', () => {
  let e2e: E2eChain;
  let subscription: SubscriptionBody;
  let etag: string;

  before(async () => {
    e2e = await E2eChain.start('subscriptions', {
      scenarioRecipients: { 'alleen-abonnees': { behaviour: 'accept', retryWindow: '1m', subscribersOnly: true } },
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  const api = (path = '') => `${e2e.chain.url('routing')}/api/v1/subscriptions${path}`;
  const call = <T = SubscriptionBody>(as: Caller, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path = '', body?: unknown, headers: Record<string, string> = {}) =>
    e2e.client(as).send<T>(method, api(path), body, headers);

  function refusedWith(answer: HeadedResponse, status: number, code: string): void {
    assert.deepEqual([answer.status, (answer.body as { code?: string }).code], [status, code], JSON.stringify(answer.body));
  }

  /** Submits a message and waits until every recipient it was routed to has it (400); its kenmerk. */
  async function deliveredMessage(berichtsoort: string, content: Buffer): Promise<string> {
    const receipt = await e2e.submit(aanlevering(berichtsoort, content));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400', 60_000);
    return kenmerk;
  }

  test('a type for subscribers only, before anyone subscribed, ends at 410 AFS600: no subscriber', async () => {
    const receipt = await e2e.submit(aanlevering('alleen-abonnees', SAMPLES.invoice));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const statuses = await e2e.waitForStatus(String(receipt.body.kenmerk), '410', 60_000);
    const final = statuses.find((status) => status.statuscode === '410');
    assert.equal(final?.statusFoutcode?.foutcode, 'AFS600');
    assert.match(final?.statusFoutcode?.foutbeschrijving ?? '', /geen abonnee voor alleen-abonnees/);
  });

  test('before subscribing, ministerie-bzk does not get the VAT returns routed to the Belastingdienst', async () => {
    const kenmerk = await deliveredMessage('Omzetbelasting', SAMPLES.vatInstance);
    assert.ok(e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.equal(e2e.recipient('ministerie-bzk').forKenmerk(kenmerk), undefined);
  });

  test('recipient-b subscribes to Omzetbelasting with its certificate, and the next one reaches it as submitted', async () => {
    const routingPid = e2e.chain.pids()['routing#0'];
    const created = await call('recipient-b', 'POST', '', { berichtsoort: 'Omzetbelasting' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    subscription = created.body;
    assert.deepEqual(
      [subscription.subscriberOin, subscription.recipientId, subscription.berichtsoort, subscription.format, subscription.version],
      [e2e.pki.clients['recipient-b'].oin, 'ministerie-bzk', 'Omzetbelasting', 'original', 1],
    );
    assert.equal(created.headers.location, `/api/v1/subscriptions/${subscription.id}`);
    etag = String(created.headers.etag);
    assert.equal(etag, '"1"');

    const kenmerk = await deliveredMessage('Omzetbelasting', SAMPLES.vatInstance);
    assert.deepEqual(e2e.recipient('ministerie-bzk').forKenmerk(kenmerk)?.body, SAMPLES.vatInstance);
    assert.ok(e2e.recipient('belastingdienst').forKenmerk(kenmerk), 'the static route still applies');
    assert.equal(e2e.chain.pids()['routing#0'], routingPid, 'routing was not restarted');

    const again = await call('recipient-b', 'POST', '', { berichtsoort: 'Omzetbelasting' });
    refusedWith(again, 409, 'SUBSCRIPTION_DUPLICATE');
  });

  test('a type for subscribers only reaches its subscriber once it subscribed; an operator may delete the subscription', async () => {
    const created = await call('recipient-b', 'POST', '', { berichtsoort: 'alleen-abonnees' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const kenmerk = await deliveredMessage('alleen-abonnees', SAMPLES.invoice);
    assert.deepEqual(e2e.recipient('ministerie-bzk').forKenmerk(kenmerk)?.body, SAMPLES.invoice);
    assert.equal(e2e.recipient('alleen-abonnees').forKenmerk(kenmerk), undefined);
    // An operator may delete anyone's subscription.
    assert.equal((await call('operator', 'DELETE', `/${created.body.id}`)).status, 204);
    refusedWith(await call('recipient-b', 'GET', `/${created.body.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
  });

  test('what the API refuses: an unknown berichtsoort, a malformed filter, a caller who is not a recipient, no certificate', async () => {
    refusedWith(await call('recipient-b', 'POST', '', { berichtsoort: 'bestaat-niet' }), 422, 'SUBSCRIPTION_BERICHTSOORT_UNKNOWN');
    refusedWith(await call('recipient-b', 'POST', '', { berichtsoort: 'Omzetbelasting', identiteitOntvanger: 'x'.repeat(36) }), 400, 'SUBSCRIPTION_INVALID');
    const truncated = await call('recipient-b', 'POST', '', '{"berichtsoort": ');
    assert.equal(truncated.status, 400);
    assert.match(String((truncated.body as { code?: string }).code), /^HTTP_/);
    refusedWith(await call('sender-a', 'POST', '', { berichtsoort: 'Omzetbelasting' }), 403, 'SUBSCRIPTION_NOT_A_RECIPIENT');
    refusedWith(await call('sender-a', 'GET'), 403, 'SUBSCRIPTION_NOT_A_RECIPIENT');
    refusedWith(await call('anonymous', 'GET'), 401, 'CERT_MISSING');
  });

  test('another recipient cannot read, list, change or delete it: 404, as if it did not exist', async () => {
    refusedWith(await call('recipient-a', 'GET', `/${subscription.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
    refusedWith(await call('recipient-a', 'PUT', `/${subscription.id}`, { berichtsoort: 'Omzetbelasting', identiteitOntvanger: '0001' }), 404, 'SUBSCRIPTION_NOT_FOUND');
    refusedWith(await call('recipient-a', 'DELETE', `/${subscription.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
    refusedWith(await call('sender-a', 'GET', `/${subscription.id}`), 403, 'SUBSCRIPTION_NOT_A_RECIPIENT');
    const listed = await call<{ subscriptions: SubscriptionBody[] }>('recipient-a', 'GET');
    assert.deepEqual([listed.status, listed.body.subscriptions], [200, []]);
    const own = await call<{ subscriptions: SubscriptionBody[] }>('recipient-b', 'GET');
    assert.deepEqual(own.body.subscriptions.map((s) => s.id), [subscription.id]);
    assert.equal((await call('recipient-b', 'GET', `/${subscription.id}`)).headers.etag, etag, 'unchanged');
  });

  test('an operator reads and changes it (If-Match), and a filter that no message meets stops its deliveries', async () => {
    const listed = await call<{ subscriptions: SubscriptionBody[] }>('operator', 'GET');
    assert.ok(listed.body.subscriptions.some((s) => s.id === subscription.id));
    assert.equal((await call('operator', 'GET', `/${subscription.id}`)).status, 200);

    const change = { berichtsoort: 'Omzetbelasting', identiteitOntvanger: '00000099000000000999' };
    refusedWith(await call('operator', 'PUT', `/${subscription.id}`, change, { 'if-match': '"7"' }), 412, 'SUBSCRIPTION_VERSION_MISMATCH');
    const changed = await call('operator', 'PUT', `/${subscription.id}`, change, { 'if-match': etag });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual([changed.body.recipientId, changed.body.identiteitOntvanger, changed.body.version], ['ministerie-bzk', '00000099000000000999', 2]);
    etag = String(changed.headers.etag);

    const kenmerk = await deliveredMessage('Omzetbelasting', SAMPLES.vatInstance);
    assert.equal(e2e.recipient('ministerie-bzk').forKenmerk(kenmerk), undefined);
  });

  test('the subscriber puts it back, then deletes it: the next message goes to the static route only', async () => {
    const back = await call('recipient-b', 'PUT', `/${subscription.id}`, { berichtsoort: 'Omzetbelasting' }, { 'if-match': etag });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    const delivered = await deliveredMessage('Omzetbelasting', SAMPLES.vatInstance);
    assert.ok(e2e.recipient('ministerie-bzk').forKenmerk(delivered));

    assert.equal((await call('recipient-b', 'DELETE', `/${subscription.id}`, undefined, { 'if-match': String(back.headers.etag) })).status, 204);
    refusedWith(await call('recipient-b', 'GET', `/${subscription.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
    const kenmerk = await deliveredMessage('Omzetbelasting', SAMPLES.vatInstance);
    assert.ok(e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.equal(e2e.recipient('ministerie-bzk').forKenmerk(kenmerk), undefined);
  });
});
