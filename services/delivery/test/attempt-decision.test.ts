import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { statusRecord } from '@poort/contracts';
import { anEnvelope } from '@poort/testing';

import { decideAttempt, type AttemptFacts } from '../src/delivery/attempt-decision.js';
import type { AttemptOutcome } from '../src/delivery/attempt-outcome.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
/** Jitter at the middle: a delay is 3/4 of the capped exponential back-off. */
const random = () => 0.5;

const facts = (overrides: Partial<AttemptFacts> = {}): AttemptFacts => ({
  recipientId: 'belastingdienst',
  recipientCount: 1,
  attemptsBefore: 0,
  deadline: at(72 * 3_600_000),
  now: NOW,
  deliveredToOthers: 0,
  backoff: { initialBackoff: 60_000, maxBackoff: 3_600_000 },
  ...overrides,
});

const delivered: AttemptOutcome = { kind: 'delivered', httpStatus: 200 };
const refused: AttemptOutcome = { kind: 'refused', httpStatus: 400, detail: 'HTTP 400: onbekende factuurontvanger' };
const failed: AttemptOutcome = { kind: 'failed', detail: 'HTTP 503: service unavailable' };

/** The envelope only matters for what a sender sees of a status: its statusId and finality. */
const envelope = anEnvelope({ kenmerk: 'k-0001', tijdstempelAangeleverd: NOW.toISOString() });
const seenBySender = (decision: ReturnType<typeof decideAttempt>) =>
  decision.statuses.map((status) => {
    const record = statusRecord(envelope, status);
    return { statusId: record.statusId, statuscode: record.statuscode, final: record.final, foutcode: record.statusFoutcode?.foutcode };
  });

describe('decideAttempt: delivered', () => {
  it('puts the recipient\'s tijdstempelAfgeleverd (a WUS afleverResponse) in the 400\'s details, keeping Poort\'s time', () => {
    const decision = decideAttempt({ kind: 'delivered', httpStatus: 200, tijdstempelAfgeleverd: '2026-12-01T10:00:00+01:00' }, facts(), random);
    assert.deepEqual(decision.statuses, [{ code: '400', details: 'tijdstempelAfgeleverd 2026-12-01T10:00:00+01:00 (belastingdienst)' }]);
    assert.deepEqual(decideAttempt(delivered, facts(), random).statuses, [{ code: '400' }]);
  });

  it('reports no status while other recipients of the message still wait for it', () => {
    const decision = decideAttempt(delivered, facts({ recipientCount: 3, deliveredToOthers: 1 }), random);
    assert.deepEqual(decision.update, { state: 'delivered' });
    assert.deepEqual(decision.statuses, []);
    assert.equal(decision.returnToSender, undefined);
  });

  it('reports 400 once, when the last recipient has it', () => {
    for (const [recipientCount, deliveredToOthers] of [
      [1, 0],
      [2, 1],
      [5, 4],
    ] as const) {
      const decision = decideAttempt(delivered, facts({ recipientCount, deliveredToOthers }), random);
      assert.deepEqual(decision.update, { state: 'delivered' });
      assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:400', statuscode: '400', final: false, foutcode: undefined }], `${deliveredToOthers + 1} of ${recipientCount}`);
      assert.equal(decision.returnToSender, undefined);
    }
  });

  it('does not depend on earlier failed attempts', () => {
    const decision = decideAttempt(delivered, facts({ attemptsBefore: 7 }), random);
    assert.deepEqual(seenBySender(decision).map((status) => status.statuscode), ['400']);
  });
});

describe('decideAttempt: refused', () => {
  it('ends the delivery with a final 410/AFO100 for this recipient and returns the message with the same reason', () => {
    const decision = decideAttempt(refused, facts({ recipientCount: 2 }), random);
    assert.deepEqual(decision.update, { state: 'refused', lastError: 'HTTP 400: onbekende factuurontvanger' });
    assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:410:belastingdienst', statuscode: '410', final: true, foutcode: 'AFO100' }]);
    const reden = decision.statuses[0]!.fout!;
    assert.match(reden.foutbeschrijving, /^belastingdienst weigert het bericht: HTTP 400: onbekende factuurontvanger$/);
    assert.deepEqual(decision.returnToSender, reden, 'retour afzender carries the reason the sender sees in the status');
  });

  it('is final on the first attempt, even with the whole window ahead: retrying cannot help', () => {
    const decision = decideAttempt(refused, facts({ attemptsBefore: 0, deadline: at(72 * 3_600_000) }), random);
    assert.equal(decision.update.state, 'refused');
    assert.ok(!('retryAt' in decision.update));
  });
});

describe('decideAttempt: failed', () => {
  it('schedules a retry at now + back-off and reports 420/AFS400 for this recipient', () => {
    // Third failed attempt: 60 s · 2² = 240 s, at jitter 0.5 → 180 s.
    const decision = decideAttempt(failed, facts({ attemptsBefore: 2 }), random);
    assert.deepEqual(decision.update, { state: 'pending', retryAt: at(180_000), lastError: 'HTTP 503: service unavailable' });
    assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:420:belastingdienst', statuscode: '420', final: false, foutcode: 'AFS400' }]);
    assert.equal(decision.statuses[0]!.fout!.foutbeschrijving, 'belastingdienst: HTTP 503: service unavailable');
    assert.equal(decision.returnToSender, undefined, 'the message is not returned while it may still be delivered');
  });

  it('backs off with the number of failed attempts, up to the maximum', () => {
    const retryAfter = (attemptsBefore: number) => {
      const { update } = decideAttempt(failed, facts({ attemptsBefore }), random);
      assert.ok(update.state === 'pending', `attempt ${attemptsBefore + 1} is retried`);
      return update.retryAt.getTime() - NOW.getTime();
    };
    assert.deepEqual([0, 1, 2, 3, 6, 7, 20].map(retryAfter), [45_000, 90_000, 180_000, 360_000, 2_700_000, 2_700_000, 2_700_000]);
  });

  it('uses one statusId for the 420 of a recipient on every attempt, so the history is not flooded', () => {
    const ids = [0, 1, 2, 5, 9].map((attemptsBefore) => seenBySender(decideAttempt(failed, facts({ attemptsBefore }), random))[0]!.statusId);
    assert.deepEqual(new Set(ids), new Set(['k-0001:420:belastingdienst']));
    const other = seenBySender(decideAttempt(failed, facts({ recipientId: 'ministerie-bzk' }), random))[0]!.statusId;
    assert.equal(other, 'k-0001:420:ministerie-bzk', 'each recipient has its own 420');
  });

  it('still retries when the next attempt falls exactly on the deadline', () => {
    const decision = decideAttempt(failed, facts({ deadline: at(45_000) }), random);
    assert.equal(decision.update.state, 'pending');
  });

  it('expires with a final 420/AFS600 and retour afzender when the next retry would fall after the deadline', () => {
    const decision = decideAttempt(failed, facts({ attemptsBefore: 3, deadline: at(359_999) }), random);
    assert.deepEqual(decision.update, { state: 'expired', lastError: 'HTTP 503: service unavailable' });
    assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:420:belastingdienst:final', statuscode: '420', final: true, foutcode: 'AFS600' }]);
    const reden = decision.statuses[0]!.fout!;
    assert.match(reden.foutbeschrijving, /^niet afgeleverd aan belastingdienst na 4 pogingen binnen het afleveringsvenster; retour afzender\./);
    assert.match(reden.foutbeschrijving, /Laatste fout: HTTP 503: service unavailable$/);
    assert.deepEqual(decision.returnToSender, reden, 'retour afzender carries the reason the sender sees in the status');
  });

  it('expires at once when the window has already passed', () => {
    const decision = decideAttempt(failed, facts({ deadline: at(-1) }), random);
    assert.equal(decision.update.state, 'expired');
  });

  it('decides on the jittered delay: the same attempt may retry or expire depending on the random draw', () => {
    // First failure: 60 s · [0.5, 1]; a deadline 50 s away lies between the two bounds.
    const deadline = at(50_000);
    assert.equal(decideAttempt(failed, facts({ deadline }), () => 0).update.state, 'pending');
    assert.equal(decideAttempt(failed, facts({ deadline }), () => 1).update.state, 'expired');
  });
});

describe('decideAttempt: undeliverable', () => {
  const undeliverable: AttemptOutcome = { kind: 'undeliverable', detail: 'PAYLOAD_NOT_FOUND: payload x does not exist' };

  it('ends the delivery at once, with the whole window ahead: a final 420/AFS600 and retour afzender with the cause', () => {
    const decision = decideAttempt(undeliverable, facts({}), random);
    assert.deepEqual(decision.update, { state: 'expired', lastError: undeliverable.detail });
    assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:420:belastingdienst:final', statuscode: '420', final: true, foutcode: 'AFS600' }]);
    assert.match(decision.statuses[0]!.fout!.foutbeschrijving, /^niet afleverbaar aan belastingdienst; retour afzender\. Oorzaak: PAYLOAD_NOT_FOUND/);
    assert.deepEqual(decision.returnToSender, decision.statuses[0]!.fout);
  });

  it('a failure of a message whose type is no longer configured cannot be retried on its policy: it ends too', () => {
    const decision = decideAttempt(failed, facts({ backoff: undefined }), random);
    assert.equal(decision.update.state, 'expired');
    assert.match(decision.statuses[0]!.fout!.foutbeschrijving, /de berichtsoort is niet meer geconfigureerd/);
  });
});

describe('decideAttempt: parked in a pull recipient\'s mailbox', () => {
  it('is no delivery yet: no status, no retry, however many recipients already have it', () => {
    for (const deliveredToOthers of [0, 2]) {
      const decision = decideAttempt({ kind: 'parked' }, facts({ recipientCount: 3, deliveredToOthers }), random);
      assert.deepEqual(decision.update, { state: 'parked' });
      assert.deepEqual(seenBySender(decision), []);
      assert.equal(decision.returnToSender, undefined);
    }
  });
});

describe('decideAttempt: parked and not fetched in time', () => {
  it('gives up as an undeliverable push: final 420/AFS600 "niet opgehaald", retour afzender', () => {
    const decision = decideAttempt({ kind: 'unfetched' }, facts({ recipientId: 'postbus', deadline: NOW }), random);
    assert.equal(decision.update.state, 'expired');
    assert.deepEqual(seenBySender(decision), [{ statusId: 'k-0001:420:postbus:final', statuscode: '420', final: true, foutcode: 'AFS600' }]);
    assert.equal(decision.returnToSender?.foutcode, 'AFS600');
    assert.equal(decision.returnToSender?.foutbeschrijving, 'niet opgehaald door postbus binnen het afleveringsvenster (tot 2025-03-01T12:00:00.000Z); retour afzender');
  });
});
