import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { STATUS, TOPICS, decodeEvent } from '@poort/contracts';
import { anEnvelope } from '@poort/testing';

import { Emissions } from '../src/index.js';

const envelope = anEnvelope({ kenmerk: 'k-1' });

describe('Emissions: the events of one effect', () => {
  test('each event gets its own id and the time it occurred, and is valid for its topic', () => {
    const out = new Emissions();
    const at = new Date('2026-11-30T12:00:05.000Z');
    out.emit(TOPICS.authorized, { envelope }, at);
    out.emit(TOPICS.authorized, { envelope });
    const [first, second] = out.records.map((record) => decodeEvent(TOPICS.authorized, record.value));
    assert.equal(first!.occurredAt, '2026-11-30T12:00:05.000Z');
    assert.notEqual(first!.eventId, second!.eventId);
    assert.ok(Date.parse(second!.occurredAt) >= at.getTime());
  });

  test('every event of a message is keyed by its kenmerk, so its events stay in order on one partition', () => {
    const out = new Emissions();
    out.emit(TOPICS.deliveryRequested, { envelope, recipientId: 'r', payload: envelope.content, recipientCount: 1 });
    out.status(envelope, { code: STATUS.afleveringBezig });
    out.emit(TOPICS.returnedToSender, {
      kenmerk: 'k-1',
      berichtsoort: 'e-factuur',
      senderOin: envelope.sender.oin,
      recipientId: 'r',
      reden: { foutcode: 'AFO100', foutbeschrijving: 'nee' },
    });
    assert.deepEqual(out.records.map((record) => record.key), ['k-1', 'k-1', 'k-1']);
  });

  test('a status is an event on the status topic, occurring when the status says, and is listed among the statuses', () => {
    const out = new Emissions();
    const status = out.status(envelope, { code: STATUS.gevalideerd, at: new Date('2026-11-30T12:00:07.000Z') });
    assert.equal(status.occurredAt, status.tijdstempelStatus);
    assert.equal(out.records[0]!.topic, TOPICS.statusChanged);
    assert.deepEqual(decodeEvent(TOPICS.statusChanged, out.records[0]!.value), status);
    assert.deepEqual(out.statuses, [status]);
  });

  test('an event that names no message is refused at once', () => {
    const out = new Emissions();
    assert.throws(() => out.emit(TOPICS.returnedToSender, { kenmerk: '', berichtsoort: 'x', senderOin: envelope.sender.oin, recipientId: 'r', reden: { foutcode: 'X', foutbeschrijving: '' } }), /names no kenmerk/);
    assert.equal(out.records.length, 0);
  });
});
