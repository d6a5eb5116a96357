import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Envelope, PayloadRef } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';

import { resolveRecipients } from '../src/routing/route-table.js';

const payload = (id: string, mimeType = 'application/xml'): PayloadRef => ({ id, size: 1, sha256: '0'.repeat(64), mimeType, bestandsnaam: 'f.xml' });
const original = payload('11111111-1111-4111-8111-111111111111');
const summary = payload('22222222-2222-4222-8222-222222222222', 'application/json');

function envelope(berichtsoort: string, ontvanger?: string): Envelope {
  return {
    kenmerk: 'k-1',
    berichtsoort,
    sender: { oin: '00000099000000000001', certificateFingerprint: 'a'.repeat(64) },
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    ...(ontvanger ? { identiteitOntvanger: { nummer: ontvanger, type: 'OIN' } } : {}),
    content: original,
    attachments: [],
    tijdstempelAangeleverd: '2026-11-30T12:00:00.000Z',
  };
}

const type = (berichtsoort: string, transformation: string, routes: string) => `berichtsoort: ${berichtsoort}
description: test type ${berichtsoort}
authorization: { allowedSenders: ["00000099000000000001"] }
validation: { schema: schemas/any.xsd }
transformation: ${transformation}
routing:
  routes:
${routes}
delivery: { retryWindow: 1h, initialBackoff: 1s, maxBackoff: 10s }
`;

describe('resolveRecipients: who gets a message, and which rendition', () => {
  let dir: string;
  let catalog: MessageCatalog;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'poort-routing-'));
    mkdirSync(join(dir, 'schemas'));
    mkdirSync(join(dir, 'message-types'));
    writeFileSync(join(dir, 'schemas/any.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
    const recipients = ['archief', 'ledger', 'gemeente-a', 'gemeente-b'].map((id) => `  - { id: ${id}, name: ${id}, oin: "00000099000000000101", endpoint: "http://127.0.0.1:1/${id}" }`);
    writeFileSync(join(dir, 'recipients.yaml'), `recipients:\n${recipients.join('\n')}\n`);
    writeFileSync(
      join(dir, 'message-types/fan-out.yaml'),
      type('fan-out', 'ubl-invoice-to-json', '    - { recipient: archief, format: original }\n    - { recipient: ledger, format: transformed }\n    - { recipient: archief, format: transformed }'),
    );
    writeFileSync(
      join(dir, 'message-types/per-ontvanger.yaml'),
      type('per-ontvanger', 'none', '    - { recipient: gemeente-a, whenOntvanger: "0001" }\n    - { recipient: gemeente-b, whenOntvanger: "0002" }\n    - { recipient: archief }'),
    );
    catalog = MessageCatalog.load(dir, {});
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every route of the type gets one delivery, with the rendition its route asks for', () => {
    assert.deepEqual(resolveRecipients(catalog, envelope('fan-out'), summary), [
      { recipientId: 'archief', payload: original },
      { recipientId: 'ledger', payload: summary },
    ]);
  });

  test('a recipient named by two routes gets the message once, by its first route', () => {
    const deliveries = resolveRecipients(catalog, envelope('fan-out'), summary);
    assert.equal(deliveries.filter((delivery) => delivery.recipientId === 'archief').length, 1);
  });

  test('routes for one identiteitOntvanger apply only to it; routes without a condition apply always', () => {
    assert.deepEqual(resolveRecipients(catalog, envelope('per-ontvanger', '0002'), undefined).map((d) => d.recipientId), ['gemeente-b', 'archief']);
    assert.deepEqual(resolveRecipients(catalog, envelope('per-ontvanger'), undefined).map((d) => d.recipientId), ['archief']);
  });

  test('a route that wants the transformed rendition when there is none is a failure of this message, not a silent drop', () => {
    assert.throws(() => resolveRecipients(catalog, envelope('fan-out'), undefined), /ledger wants the transformed content/);
  });
});
