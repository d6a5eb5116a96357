import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MessageType, offeredToSubscribers, renditionFor, renditionsNeeded } from '../src/index.js';

const invoiceType = (more: object) =>
  MessageType.parse({
    berichtsoort: 't',
    description: 't',
    authorization: { allowedSenders: ['00000099000000000001'] },
    validation: { schema: 'schema.xsd' },
    transformation: 'ubl-invoice-to-json',
    routing: {
      routes: [
        { recipient: 'archief' },
        { recipient: 'ledger', format: 'transformed' },
        { recipient: 'financien', format: 'ubl-invoice-to-cii', whenOntvanger: '0001' },
      ],
    },
    ...more,
  });

describe('renditions: which formats a message type makes, and for whom', () => {
  it('a format names the original, the type\'s own rendition, or a rendition by name', () => {
    const type = invoiceType({});
    assert.equal(renditionFor(type, 'original'), undefined);
    assert.equal(renditionFor(type, 'transformed'), 'ubl-invoice-to-json');
    assert.equal(renditionFor(type, 'ubl-invoice-to-cii'), 'ubl-invoice-to-cii');
    assert.equal(renditionFor(invoiceType({ transformation: 'none', routing: { routes: [{ recipient: 'archief' }] } }), 'transformed'), undefined);
  });

  it('a message gets the type\'s own rendition, and a named one only when a route that applies to it asks for it', () => {
    const type = invoiceType({});
    assert.deepEqual(renditionsNeeded(type, '0001'), ['ubl-invoice-to-json', 'ubl-invoice-to-cii']);
    assert.deepEqual(renditionsNeeded(type, '0002'), ['ubl-invoice-to-json']);
    assert.deepEqual(renditionsNeeded(type, undefined), ['ubl-invoice-to-json']);
  });

  it('a rendition offered to subscribers is made of every message, and only such a one may be subscribed to by name', () => {
    const offering = invoiceType({ subscriberRenditions: ['ubl-invoice-to-cii'] });
    assert.deepEqual(renditionsNeeded(offering, undefined), ['ubl-invoice-to-json', 'ubl-invoice-to-cii']);
    assert.equal(offeredToSubscribers(offering, 'ubl-invoice-to-cii'), true);
    const plain = invoiceType({});
    // The route's CII is made for one identiteitOntvanger only: a subscriber could not count on it.
    assert.equal(offeredToSubscribers(plain, 'ubl-invoice-to-cii'), false);
    assert.equal(offeredToSubscribers(plain, 'transformed'), true);
    assert.equal(offeredToSubscribers(plain, 'ubl-invoice-to-json'), true);
    assert.equal(offeredToSubscribers(plain, 'original'), true);
    assert.equal(offeredToSubscribers(invoiceType({ transformation: 'none' }), 'transformed'), false);
  });

  it('a type without a transformation makes nothing for routes that want the original', () => {
    assert.deepEqual(renditionsNeeded(invoiceType({ transformation: 'none', routing: { routes: [{ recipient: 'archief' }] } }), '0001'), []);
  });
});
