import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import type { Envelope } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';

import { decide } from '../src/authorization/sender-policy.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const catalog = MessageCatalog.load(join(ROOT, 'config'), {});

const envelope = (berichtsoort: string, oin: string): Envelope => ({
  kenmerk: 'k-1',
  berichtsoort,
  sender: { oin, certificateFingerprint: 'a'.repeat(64) },
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  content: { id: '11111111-1111-4111-8111-111111111111', size: 1, sha256: '0'.repeat(64), mimeType: 'application/xml', bestandsnaam: 'f.xml' },
  attachments: [],
  tijdstempelAangeleverd: '2026-11-30T12:00:00.000Z',
});

describe('decide: may this sender send this berichtsoort (the shipped configuration)', () => {
  test('a sender on the type\'s list is allowed', () => {
    assert.deepEqual(decide(catalog, envelope('e-factuur', '00000099000000000001')), { allowed: true });
  });

  test('another OIN is refused, and the reason names the OIN and the berichtsoort', () => {
    const decision = decide(catalog, envelope('e-factuur', '00000099000000000002'));
    assert.deepEqual(decision, { allowed: false, reason: 'OIN 00000099000000000002 is niet geautoriseerd voor berichtsoort e-factuur' });
  });

  test('an unknown berichtsoort is refused, not an error', () => {
    assert.deepEqual(decide(catalog, envelope('onbekend', '00000099000000000001')), { allowed: false, reason: 'berichtsoort onbekend is onbekend' });
  });
});
