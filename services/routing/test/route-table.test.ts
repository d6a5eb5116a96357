import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Envelope, PayloadRef } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';

import { renditionsOf, resolveRecipients } from '../src/routing/route-table.js';
import { subscriptionMatches, type SubscriptionRule } from '../src/subscriptions/subscription.js';
import { testCatalog } from './catalog-fixture.js';

const payload = (id: string, mimeType = 'application/xml'): PayloadRef => ({ id, size: 1, sha256: '0'.repeat(64), mimeType, bestandsnaam: 'f.xml' });
const original = payload('11111111-1111-4111-8111-111111111111');
const summary = payload('22222222-2222-4222-8222-222222222222', 'application/json');
const cii = payload('33333333-3333-4333-8333-333333333333');
const withSummary = { 'ubl-invoice-to-json': summary };

function envelope(berichtsoort: string, ontvanger?: string, belanghebbende = '001000044B37'): Envelope {
  return {
    kenmerk: 'k-1',
    berichtsoort,
    sender: { oin: '00000099000000000001', certificateFingerprint: 'a'.repeat(64) },
    identiteitBelanghebbende: { nummer: belanghebbende, type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    ...(ontvanger ? { identiteitOntvanger: { nummer: ontvanger, type: 'OIN' } } : {}),
    content: original,
    attachments: [],
    tijdstempelAangeleverd: '2026-11-30T12:00:00.000Z',
  };
}

const subscription = (recipientId: string, berichtsoort: string, rest: Partial<SubscriptionRule> = {}): SubscriptionRule => ({
  recipientId,
  berichtsoort,
  format: 'original',
  ...rest,
});

describe('resolveRecipients: who gets a message, and which rendition', () => {
  let catalog: MessageCatalog;
  let remove: () => void;

  before(() => ({ catalog, remove } = testCatalog()));
  after(() => remove());

  test('every route of the type gets one delivery, with the rendition its route asks for', () => {
    assert.deepEqual(resolveRecipients(catalog, envelope('fan-out'), withSummary), [
      { recipientId: 'archief', payload: original },
      { recipientId: 'ledger', payload: summary },
    ]);
  });

  test('a recipient named by two routes gets the message once, by its first route', () => {
    const deliveries = resolveRecipients(catalog, envelope('fan-out'), withSummary);
    assert.equal(deliveries.filter((delivery) => delivery.recipientId === 'archief').length, 1);
  });

  test('routes for one identiteitOntvanger apply only to it; routes without a condition apply always', () => {
    assert.deepEqual(resolveRecipients(catalog, envelope('per-ontvanger', '0002'), {}).map((d) => d.recipientId), ['gemeente-b', 'archief']);
    assert.deepEqual(resolveRecipients(catalog, envelope('per-ontvanger'), {}).map((d) => d.recipientId), ['archief']);
  });

  test('a route that wants the transformed rendition when there is none is a failure of this message, not a silent drop', () => {
    assert.throws(() => resolveRecipients(catalog, envelope('fan-out'), {}), /ledger wants the transformed content, which is missing/);
  });

  test('a route naming a transformation gets that rendition, beside a route that gets the type\'s own', () => {
    assert.deepEqual(resolveRecipients(catalog, envelope('renditions', '0001'), { ...withSummary, 'ubl-invoice-to-cii': cii }), [
      { recipientId: 'archief', payload: original },
      { recipientId: 'ledger', payload: summary },
      { recipientId: 'gemeente-a', payload: cii },
    ]);
    assert.throws(() => resolveRecipients(catalog, envelope('renditions', '0001'), withSummary), /gemeente-a wants the ubl-invoice-to-cii content, which is missing/);
    // The CII route applies to messages for 0001 only: without it, no CII is needed.
    assert.deepEqual(resolveRecipients(catalog, envelope('renditions', '0002'), withSummary).map((d) => d.recipientId), ['archief', 'ledger']);
  });

  test('an event of an older transformation stage carries only the type\'s own rendition, as `transformed`', () => {
    assert.deepEqual(renditionsOf(catalog, { envelope: envelope('fan-out'), transformed: summary }), withSummary);
    assert.deepEqual(renditionsOf(catalog, { envelope: envelope('plain') }), {});
    assert.deepEqual(renditionsOf(catalog, { envelope: envelope('renditions'), transformed: summary, renditions: { 'ubl-invoice-to-cii': cii } }), { 'ubl-invoice-to-cii': cii });
  });

  describe('with subscriptions', () => {
    test('a subscriber gets the message beside the routes, in the rendition it subscribed to', () => {
      const deliveries = resolveRecipients(catalog, envelope('fan-out'), withSummary, [subscription('bzk', 'fan-out', { format: 'transformed' })]);
      assert.deepEqual(deliveries, [
        { recipientId: 'archief', payload: original },
        { recipientId: 'ledger', payload: summary },
        { recipientId: 'bzk', payload: summary },
      ]);
    });

    test('a subscriber that a route names already gets one delivery, the route\'s', () => {
      const deliveries = resolveRecipients(catalog, envelope('fan-out'), withSummary, [subscription('ledger', 'fan-out'), subscription('archief', 'fan-out', { format: 'transformed' })]);
      assert.deepEqual(deliveries, [
        { recipientId: 'archief', payload: original },
        { recipientId: 'ledger', payload: summary },
      ]);
    });

    test('two subscriptions of one recipient that both match give one delivery, by the first', () => {
      const deliveries = resolveRecipients(catalog, envelope('plain', '0001'), {}, [
        subscription('bzk', 'plain', { identiteitOntvanger: '0001' }),
        subscription('bzk', 'plain'),
      ]);
      assert.deepEqual(deliveries.map((d) => d.recipientId), ['archief', 'bzk']);
    });

    test('a subscription only applies to the messages its filters name', () => {
      const rules = [subscription('bzk', 'plain', { identiteitOntvanger: '0001' }), subscription('twee-a', 'plain', { identiteitBelanghebbende: '123456789' })];
      assert.deepEqual(resolveRecipients(catalog, envelope('plain', '0001'), {}, rules).map((d) => d.recipientId), ['archief', 'bzk']);
      assert.deepEqual(resolveRecipients(catalog, envelope('plain', '0002', '123456789'), {}, rules).map((d) => d.recipientId), ['archief', 'twee-a']);
      assert.deepEqual(resolveRecipients(catalog, envelope('plain'), {}, rules).map((d) => d.recipientId), ['archief']);
    });

    test('a subscription to a rendition by name gets it', () => {
      const deliveries = resolveRecipients(catalog, envelope('cii-abonnees'), { ...withSummary, 'ubl-invoice-to-cii': cii }, [subscription('bzk', 'cii-abonnees', { format: 'ubl-invoice-to-cii' })]);
      assert.deepEqual(deliveries.at(-1), { recipientId: 'bzk', payload: cii });
    });

    test('a subscription to the transformed rendition of a type without one gets the original', () => {
      assert.deepEqual(resolveRecipients(catalog, envelope('plain'), {}, [subscription('bzk', 'plain', { format: 'transformed' })]).at(-1), {
        recipientId: 'bzk',
        payload: original,
      });
    });

    test('a type for subscribers only goes to its subscribers, and to no one without them', () => {
      assert.deepEqual(resolveRecipients(catalog, envelope('alleen-abonnees'), withSummary, [subscription('bzk', 'alleen-abonnees')]), [{ recipientId: 'bzk', payload: original }]);
      assert.deepEqual(resolveRecipients(catalog, envelope('alleen-abonnees'), withSummary, []), []);
    });
  });
});

describe('subscriptionMatches: which messages a subscription asks for', () => {
  const message = envelope('plain', '0001', '123456789');

  test('its berichtsoort, and nothing else', () => {
    assert.equal(subscriptionMatches(subscription('bzk', 'plain'), message), true);
    assert.equal(subscriptionMatches(subscription('bzk', 'fan-out'), message), false);
  });

  test('each filter compares the identity\'s nummer; both filters must hold', () => {
    assert.equal(subscriptionMatches(subscription('bzk', 'plain', { identiteitBelanghebbende: '123456789' }), message), true);
    assert.equal(subscriptionMatches(subscription('bzk', 'plain', { identiteitBelanghebbende: '987654321' }), message), false);
    assert.equal(subscriptionMatches(subscription('bzk', 'plain', { identiteitOntvanger: '0001', identiteitBelanghebbende: '123456789' }), message), true);
    assert.equal(subscriptionMatches(subscription('bzk', 'plain', { identiteitOntvanger: '0002', identiteitBelanghebbende: '123456789' }), message), false);
  });

  test('an ontvanger filter does not match a message without an identiteitOntvanger', () => {
    assert.equal(subscriptionMatches(subscription('bzk', 'plain', { identiteitOntvanger: '0001' }), envelope('plain')), false);
  });
});
