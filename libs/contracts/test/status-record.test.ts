import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEAD_LETTER_STATUS, POORT_FOUTCODE, STATUS, STATUS_DEFINITIONS, TOPICS, decodeEvent, statusRecord, type Envelope } from '../src/index.js';

const envelope: Envelope = {
  kenmerk: 'k-1',
  berichtsoort: 'e-factuur',
  aanleverkenmerk: 'eigen-1',
  sender: { oin: '00000099000000000001', certificateFingerprint: 'a'.repeat(64) },
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  content: { id: '2c8a4b56-3f44-4f0a-9a37-1d7c8d0f4e11', size: 3, sha256: 'b'.repeat(64), mimeType: 'application/xml', bestandsnaam: 'f.xml' },
  attachments: [],
  tijdstempelAangeleverd: '2026-11-30T12:00:00.000Z',
};
const at = new Date('2026-11-30T12:00:01.000Z');

describe('statusRecord: the status a message reaches at one step', () => {
  test('carries the envelope\'s identities, the code\'s own description and finality, and the time given', () => {
    const record = statusRecord(envelope, { code: STATUS.gevalideerd, at });
    assert.deepEqual(record, {
      statusId: 'k-1:301',
      kenmerk: 'k-1',
      berichtsoort: 'e-factuur',
      senderOin: '00000099000000000001',
      aanleverkenmerk: 'eigen-1',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      statuscode: '301',
      statusomschrijving: STATUS_DEFINITIONS['301'].omschrijving,
      tijdstempelStatus: '2026-11-30T12:00:01.000Z',
      statusFoutcode: undefined,
      statusdetails: undefined,
      final: false,
    });
  });

  test('has the same statusId however often a step runs, so a status is recorded once', () => {
    const first = statusRecord(envelope, { code: STATUS.afgeleverd, at });
    const again = statusRecord(envelope, { code: STATUS.afgeleverd, at: new Date(at.getTime() + 60_000) });
    assert.equal(first.statusId, again.statusId);
  });

  test('a scope tells repeated steps of one code apart (one 420 per recipient)', () => {
    const a = statusRecord(envelope, { code: STATUS.technischeFoutAflevering, scope: 'belastingdienst', at });
    const b = statusRecord(envelope, { code: STATUS.technischeFoutAflevering, scope: 'ministerie-bzk', at });
    assert.equal(a.statusId, 'k-1:420:belastingdienst');
    assert.notEqual(a.statusId, b.statusId);
  });

  test('a step may make a non-final code final (420 when the retry window ends), and functional failures are final', () => {
    assert.equal(statusRecord(envelope, { code: STATUS.technischeFoutAflevering, at }).final, false);
    assert.equal(statusRecord(envelope, { code: STATUS.technischeFoutAflevering, final: true, at }).final, true);
    assert.equal(statusRecord(envelope, { code: STATUS.validatieMislukt, at }).final, true);
    assert.equal(statusRecord(envelope, { code: STATUS.nietGeautoriseerd, at }).final, true);
  });

  test('every status description fits the 80 characters of the koppelvlak', () => {
    for (const [code, definition] of Object.entries(STATUS_DEFINITIONS)) assert.ok(definition.omschrijving.length <= 80, code);
  });
});

describe('decodeEvent: a consumer never trusts the bytes on a topic', () => {
  test('a status event built from a record decodes as it is', () => {
    const event = { eventId: '0b6e4b0c-1f39-4cde-9a3a-6f5d2f1c9e01', occurredAt: at.toISOString(), ...statusRecord(envelope, { code: STATUS.ontvangen, at }) };
    assert.equal(decodeEvent(TOPICS.statusChanged, JSON.parse(JSON.stringify(event))).statusId, 'k-1:100');
  });

  test('an event that does not match its topic\'s schema is refused with EVENT_INVALID, naming the field', () => {
    assert.throws(
      () => decodeEvent(TOPICS.received, { eventId: 'not-a-uuid', occurredAt: at.toISOString(), envelope }),
      (error: Error & { code?: string }) => error.code === 'EVENT_INVALID' && /eventId/.test(error.message),
    );
  });
});

describe('the statuses Poort gives of its own accord fit the koppelvlak', () => {
  test('every dead-letter status and Poort foutcode makes a valid status event (a foutcode has at most 20 characters)', () => {
    const codes = [...Object.values(DEAD_LETTER_STATUS).map((status) => status.foutcode), ...Object.values(POORT_FOUTCODE)];
    for (const foutcode of codes) {
      assert.ok(foutcode.length <= 20, `${foutcode} is longer than the koppelvlak's 20 characters`);
      const record = statusRecord(envelope, { code: STATUS.technischeFoutAflevering, final: true, fout: { foutcode, foutbeschrijving: 'x' }, at });
      assert.doesNotThrow(() => decodeEvent(TOPICS.statusChanged, { eventId: '0b6e4b0c-1f39-4cde-9a3a-6f5d2f1c9e01', occurredAt: at.toISOString(), ...record }), foutcode);
    }
  });
});
