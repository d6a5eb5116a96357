import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Refusal } from '@poort/contracts';

import {
  CLOCK_SKEW_MS,
  MAX_REPORT_TEXT_BYTES,
  ZETSTATUS_CODE,
  decideRecipientStatus,
  type DeliveryOfMessage,
  type RecipientStatusReport,
} from '../src/recipient-status/recipient-status.decision.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const AANGELEVERD = new Date('2026-03-01T11:00:00.000Z');
const OIN_A = '00000099000000000101';
const OIN_B = '00000099000000000102';

const report = (overrides: Partial<RecipientStatusReport> = {}): RecipientStatusReport => ({
  kenmerk: 'k-0001',
  statuscode: '500',
  tijdstempelStatus: new Date('2026-03-01T11:59:00.000Z'),
  ...overrides,
});
const rejected = (overrides: Partial<RecipientStatusReport> = {}): RecipientStatusReport =>
  report({ statuscode: '510', statusFoutcode: { foutcode: 'FRIS-123', foutbeschrijving: 'omzet klopt niet' }, ...overrides });

const delivery = (overrides: Partial<DeliveryOfMessage> = {}): DeliveryOfMessage => ({
  recipientId: 'belastingdienst',
  recipientOin: OIN_A,
  state: 'delivered',
  reported: undefined,
  ...overrides,
});
const message = (...deliveries: DeliveryOfMessage[]) => ({ tijdstempelAangeleverd: AANGELEVERD, deliveries });

function refusedWith(code: string, kind: Refusal['kind'], run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof Refusal, `not a Refusal: ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.kind, kind);
    assert.ok(error.code.length <= 20, `${error.code} is longer than the koppelvlak's foutcodeType allows`);
    return true;
  });
}

describe('decideRecipientStatus: who may set a status', () => {
  it('records 500 for the recipient the message was delivered to', () => {
    assert.deepEqual(decideRecipientStatus(report(), OIN_A, message(delivery()), NOW), { code: '500', record: ['belastingdienst'] });
  });

  it('records 510 with its foutcode', () => {
    assert.deepEqual(decideRecipientStatus(rejected(), OIN_A, message(delivery()), NOW), { code: '510', record: ['belastingdienst'] });
  });

  it('with two recipients, records only the caller\'s own delivery', () => {
    const both = message(delivery(), delivery({ recipientId: 'ministerie-bzk', recipientOin: OIN_B }));
    assert.deepEqual(decideRecipientStatus(report(), OIN_B, both, NOW).record, ['ministerie-bzk']);
    assert.deepEqual(decideRecipientStatus(rejected(), OIN_A, both, NOW).record, ['belastingdienst']);
  });

  it('refuses a certificate whose OIN is not a recipient of the message (403)', () => {
    refusedWith(ZETSTATUS_CODE.forbidden, 'forbidden', () => decideRecipientStatus(report(), OIN_B, message(delivery()), NOW));
  });

  it('refuses when the recipient is no longer configured (no OIN to match)', () => {
    refusedWith(ZETSTATUS_CODE.forbidden, 'forbidden', () => decideRecipientStatus(report(), OIN_A, message(delivery({ recipientOin: undefined })), NOW));
  });

  it('does not know a message without deliveries (404)', () => {
    refusedWith(ZETSTATUS_CODE.unknown, 'not-found', () => decideRecipientStatus(report(), OIN_A, undefined, NOW));
    refusedWith(ZETSTATUS_CODE.unknown, 'not-found', () => decideRecipientStatus(report(), OIN_A, message(), NOW));
  });

  for (const state of ['pending', 'refused', 'expired'] as const) {
    it(`refuses a status for a delivery that is ${state}, not delivered (409)`, () => {
      refusedWith(ZETSTATUS_CODE.notDelivered, 'conflict', () => decideRecipientStatus(report(), OIN_A, message(delivery({ state })), NOW));
    });
  }

  it('is the recipient\'s own check, not another recipient\'s: B delivered does not let A in while A is pending', () => {
    const mixed = message(delivery({ state: 'pending' }), delivery({ recipientId: 'ministerie-bzk', recipientOin: OIN_B }));
    refusedWith(ZETSTATUS_CODE.notDelivered, 'conflict', () => decideRecipientStatus(report(), OIN_A, mixed, NOW));
  });

  it('records for each delivered profile with the caller\'s OIN (one organisation, two profiles)', () => {
    const twoProfiles = message(delivery(), delivery({ recipientId: 'belastingdienst-archief' }), delivery({ recipientId: 'belastingdienst-test', state: 'pending' }));
    assert.deepEqual(decideRecipientStatus(report(), OIN_A, twoProfiles, NOW).record, ['belastingdienst', 'belastingdienst-archief']);
  });
});

describe('decideRecipientStatus: the same report twice, and a different one', () => {
  it('records nothing for the same status again (idempotent)', () => {
    const reported = message(delivery({ reported: { statuscode: '500', foutcode: undefined } }));
    assert.deepEqual(decideRecipientStatus(report(), OIN_A, reported, NOW), { code: '500', record: [] });
    const reportedRejection = message(delivery({ reported: { statuscode: '510', foutcode: 'FRIS-123' } }));
    assert.deepEqual(decideRecipientStatus(rejected({ statusdetails: 'anders verwoord' }), OIN_A, reportedRejection, NOW), { code: '510', record: [] });
  });

  it('refuses a different status after one was reported: a recipient\'s status is final (409)', () => {
    const reported = message(delivery({ reported: { statuscode: '500', foutcode: undefined } }));
    refusedWith(ZETSTATUS_CODE.conflict, 'conflict', () => decideRecipientStatus(rejected(), OIN_A, reported, NOW));
    const reportedRejection = message(delivery({ reported: { statuscode: '510', foutcode: 'FRIS-123' } }));
    refusedWith(ZETSTATUS_CODE.conflict, 'conflict', () => decideRecipientStatus(rejected({ statusFoutcode: { foutcode: 'FRIS-999', foutbeschrijving: 'x' } }), OIN_A, reportedRejection, NOW));
  });

  it('tells in the refusal what was reported before', () => {
    const reported = message(delivery({ reported: { statuscode: '510', foutcode: 'FRIS-123' } }));
    assert.throws(() => decideRecipientStatus(report(), OIN_A, reported, NOW), (error: Refusal) => {
      assert.deepEqual(error.details, { statuscode: '510', foutcode: 'FRIS-123' });
      return true;
    });
  });
});

describe('decideRecipientStatus: what a report must be', () => {
  for (const code of ['400', '410', '501', '100', '', 'vijfhonderd']) {
    it(`refuses statuscode ${JSON.stringify(code)}: a recipient sets 500 or 510 only`, () => {
      refusedWith(ZETSTATUS_CODE.badCode, 'invalid', () => decideRecipientStatus(report({ statuscode: code }), OIN_A, message(delivery()), NOW));
    });
  }

  it('refuses 510 without a foutcode', () => {
    refusedWith(ZETSTATUS_CODE.foutMissing, 'invalid', () => decideRecipientStatus(report({ statuscode: '510' }), OIN_A, message(delivery()), NOW));
  });

  it('refuses 500 with a foutcode', () => {
    refusedWith(ZETSTATUS_CODE.foutUnexpected, 'invalid', () =>
      decideRecipientStatus(report({ statusFoutcode: { foutcode: 'X', foutbeschrijving: 'y' } }), OIN_A, message(delivery()), NOW));
  });

  it('refuses a tijdstempelStatus beyond the clock skew in the future, and accepts one within it', () => {
    const later = (ms: number) => report({ tijdstempelStatus: new Date(NOW.getTime() + ms) });
    refusedWith(ZETSTATUS_CODE.badTime, 'invalid', () => decideRecipientStatus(later(CLOCK_SKEW_MS + 1_000), OIN_A, message(delivery()), NOW));
    assert.equal(decideRecipientStatus(later(CLOCK_SKEW_MS - 1_000), OIN_A, message(delivery()), NOW).code, '500');
  });

  it('refuses a tijdstempelStatus before the message was submitted (beyond the skew)', () => {
    const before = report({ tijdstempelStatus: new Date(AANGELEVERD.getTime() - CLOCK_SKEW_MS - 1_000) });
    refusedWith(ZETSTATUS_CODE.badTime, 'invalid', () => decideRecipientStatus(before, OIN_A, message(delivery()), NOW));
  });

  it('refuses texts beyond the limit together (UTF-8 bytes), and takes them up to it', () => {
    const half = 'é'.repeat(MAX_REPORT_TEXT_BYTES / 4);
    const atLimit = rejected({ statusFoutcode: { foutcode: 'F', foutbeschrijving: half }, statusdetails: half });
    assert.equal(decideRecipientStatus(atLimit, OIN_A, message(delivery()), NOW).code, '510');
    refusedWith(ZETSTATUS_CODE.tooLarge, 'too-large', () => decideRecipientStatus({ ...atLimit, statusdetails: `${half}x` }, OIN_A, message(delivery()), NOW));
  });

  it('refuses an invalid date', () => {
    refusedWith(ZETSTATUS_CODE.badTime, 'invalid', () => decideRecipientStatus(report({ tijdstempelStatus: new Date('nope') }), OIN_A, message(delivery()), NOW));
  });

  it('checks the report before the message: a bad code from a stranger is a 400, not a 403', () => {
    refusedWith(ZETSTATUS_CODE.badCode, 'invalid', () => decideRecipientStatus(report({ statuscode: '400' }), OIN_B, message(delivery()), NOW));
  });
});
