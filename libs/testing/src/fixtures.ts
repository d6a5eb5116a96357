import { randomBytes, randomUUID } from 'node:crypto';

import type { Envelope, PayloadRef } from '@poort/contracts';

/** The test PKI's sender-a: the OIN that the shipped message types allow. */
export const TEST_SENDER_OIN = '00000099000000000001';

/** A kenmerk of its own (the envelope allows at most 40 characters). */
export const aKenmerk = (label = 'k'): string => `${label}-${randomBytes(6).toString('hex')}`;

export function aPayloadRef(overrides: Partial<PayloadRef> = {}): PayloadRef {
  return { id: randomUUID(), size: 1, sha256: '0'.repeat(64), mimeType: 'application/xml', bestandsnaam: 'bericht.xml', ...overrides };
}

/** A complete, valid envelope of an e-factuur from sender-a; tests override what matters to them. */
export function anEnvelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    kenmerk: aKenmerk(),
    berichtsoort: 'e-factuur',
    sender: { oin: TEST_SENDER_OIN, certificateFingerprint: 'a'.repeat(64) },
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    content: aPayloadRef(),
    attachments: [],
    tijdstempelAangeleverd: new Date().toISOString(),
    ...overrides,
  };
}
