import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Refusal, STATUS, type AanleverResponse } from '@poort/contracts';

import { DEFAULT_STREAMED_LIMITS, readStreamedAanlevering } from '../src/submission/streamed-aanlevering.js';
import type { SubmissionService } from '../src/submission/submission.service.js';
import { SENDER, SubmissionFixture, base64 } from './submission-fixture.js';

// The streamed aanleveren on real Postgres: its files go into the payload store inside the message's own transaction,
// so a request that is refused or breaks off leaves nothing, and a resubmission is recognised whether it was read
// streamed or whole.

let fixture: SubmissionFixture;
let service: SubmissionService;

before(async () => {
  fixture = await SubmissionFixture.create('ingress_streamed_submission');
  service = fixture.service();
});
after(async () => {
  await fixture?.drop();
});

/** 3 MiB of content: more than two payload chunks. */
const content = Buffer.concat([Buffer.from('<?xml version="1.0"?><groot>'), Buffer.alloc(3 * 1024 * 1024, 0x20), Buffer.from('</groot>')]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function aanlevering(aanleverkenmerk: string, inhoud: Buffer = content, berichtsoort = 'e-factuur') {
  return {
    berichtsoort,
    aanleverkenmerk,
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'groot.xml', inhoud: base64(inhoud) },
  };
}

/** The body in pieces of 64 KiB, as a socket brings it; `cutAt`: the body ends there (a client gone). */
async function* pieces(body: Buffer, cutAt = body.length): AsyncGenerator<Buffer> {
  for (let at = 0; at < cutAt; at += 64 * 1024) yield body.subarray(at, Math.min(cutAt, at + 64 * 1024));
}

function submitStreamed(body: Buffer, cutAt?: number): Promise<AanleverResponse> {
  return service.submitStreamed(SENDER, (openSink) =>
    readStreamedAanlevering(pieces(body, cutAt), openSink, { ...DEFAULT_STREAMED_LIMITS, maxFileBytes: 20 * 1024 * 1024 }),
  );
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('streamed aanleveren', () => {
  const key = `streamed-${randomBytes(4).toString('hex')}`;
  let first: AanleverResponse;

  test('stores the message with its content as sent, and its first events', async () => {
    const before = await fixture.stored();
    first = await submitStreamed(json(aanlevering(key)));
    assert.equal(first.statuscode, STATUS.ontvangen);
    const after = await fixture.stored();
    assert.equal(after.messages, before.messages + 1);
    assert.equal(after.payloads, before.payloads + 1);
    assert.equal(after.payload_chunks, before.payload_chunks + 4);
    assert.ok(after.outbox > before.outbox);
    const envelope = await fixture.messages.find(first.kenmerk);
    assert.equal(envelope?.content.sha256, sha256(content));
    assert.equal(sha256(await fixture.payloads.read(envelope!.content)), sha256(content));
  });

  test('the same request again, streamed or whole, is the same message and stores nothing', async () => {
    const before = await fixture.stored();
    assert.equal((await submitStreamed(json(aanlevering(key)))).kenmerk, first.kenmerk);
    assert.equal((await service.submit(SENDER, aanlevering(key))).kenmerk, first.kenmerk);
    assert.deepEqual(await fixture.stored(), before);
  });

  test('another content under the same aanleverkenmerk is refused, and its streamed content is not kept', async () => {
    const before = await fixture.stored();
    const other = Buffer.concat([content, Buffer.from('<!-- anders -->')]);
    await assert.rejects(submitStreamed(json(aanlevering(key, other))), (error: unknown) => error instanceof Refusal && /al gebruikt/.test(error.message));
    assert.deepEqual(await fixture.stored(), before);
  });

  test('a body that breaks off in the content, or an envelope refused after it, leaves nothing', async () => {
    const before = await fixture.stored();
    const body = json(aanlevering(`streamed-${randomBytes(4).toString('hex')}`));
    await assert.rejects(submitStreamed(body, Math.floor(body.length / 2)), /the body ends before its JSON document does/);
    await assert.rejects(
      submitStreamed(json(aanlevering(`streamed-${randomBytes(4).toString('hex')}`, content, 'onbekend'))),
      (error: unknown) => error instanceof Refusal && /onbekend/.test(error.message),
    );
    assert.deepEqual(await fixture.stored(), before);
  });
});
