import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { Refusal, type AanleverResponse } from '@poort/contracts';
import { parseOin, type ClientIdentity } from '@poort/pki';

import type { SubmitOptions } from '../src/submission/submission.service.js';
import { SENDER, SubmissionFixture, base64, invoice, type Stored } from './submission-fixture.js';

/**
 * Safe resubmission on a real Postgres: a sender that timed out submits again under the same aanleverkenmerk or
 * Idempotency-Key and gets the first receipt, while Poort stores nothing new; the same key with other content is
 * refused; two at once make one message. "Nothing new" is read back from every table a submission writes.
 */

let fixture: SubmissionFixture;

before(async () => {
  fixture = await SubmissionFixture.create('ingress_resubmission');
});

after(async () => {
  await fixture?.drop();
});

const OTHER_SENDER: ClientIdentity = { ...SENDER, oin: parseOin('00000099000000000002'), fingerprintSha256: 'd4'.repeat(32) };

let references = 0;
/** A fresh reference for each test: keys are per sender, and the tests share one database. */
const reference = (): string => `herhaal-${++references}`;

/** A valid e-factuur aanleverRequest in its REST form, with the sample invoice (or `content`) as content. */
function aanleverRequest(overrides: Record<string, unknown> = {}, content: Uint8Array = invoice): Record<string, unknown> {
  return {
    berichtsoort: 'e-factuur',
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: base64(content) },
    ...overrides,
  };
}

/** The same request with its fields in another order, as another serialiser (or a WUS client) would send it. */
function reordered(request: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).reverse());
}

interface StoredWithKeys extends Stored {
  submission_keys: number;
}

async function stored(): Promise<StoredWithKeys> {
  return { ...(await fixture.stored()), submission_keys: await fixture.db.count('submission_keys') };
}

const submit = (request: unknown, options: SubmitOptions = {}, sender = SENDER): Promise<AanleverResponse> =>
  fixture.service().submit(sender, request, options);

/** The resubmission answers with exactly the first receipt and leaves every table as it was. */
async function assertFirstReceiptStoringNothing(resubmission: () => Promise<AanleverResponse>, first: AanleverResponse): Promise<void> {
  const before = await stored();
  assert.deepEqual(await resubmission(), first, 'the first receipt: same kenmerk, same tijdstempelAangeleverd');
  assert.deepEqual(await stored(), before, 'a resubmission stores nothing');
}

/** Refused with ALS100 'invalid', saying that this key was used for another message; nothing stored. */
async function assertRefusedAsReused(resubmission: () => Promise<unknown>, keyName: RegExp): Promise<void> {
  const before = await stored();
  await assert.rejects(resubmission(), (error: unknown) => {
    assert.ok(error instanceof Refusal, `expected a Refusal, got ${String(error)}`);
    assert.deepEqual({ code: error.code, kind: error.kind }, { code: 'ALS100', kind: 'invalid' }, error.message);
    assert.match(error.message, keyName);
    assert.match(error.message, /is binnen 24 uur al gebruikt voor een ander bericht/);
    return true;
  });
  assert.deepEqual(await stored(), before, 'a refused resubmission stores nothing');
}

describe('a resubmission with the same key and the same request gets the first receipt and stores nothing', () => {
  test('the same aanleverkenmerk: the first receipt, however the request is serialised', async () => {
    const request = aanleverRequest({ aanleverkenmerk: reference(), autorisatieAdres: 'http://geenausp.nl' });
    const first = await submit(request);
    await assertFirstReceiptStoringNothing(() => submit(reordered(request)), first);
    await assertFirstReceiptStoringNothing(() => submit(structuredClone(request)), first);
  });

  test('the same Idempotency-Key, without an aanleverkenmerk: the first receipt', async () => {
    const idempotencyKey = `sleutel ${reference()} 7f3c-01`;
    const first = await submit(aanleverRequest(), { idempotencyKey });
    await assertFirstReceiptStoringNothing(() => submit(aanleverRequest(), { idempotencyKey }), first);
  });

  test('the same Idempotency-Key decides before the aanleverkenmerk, and a known aanleverkenmerk answers under a new Idempotency-Key', async () => {
    const request = aanleverRequest({ aanleverkenmerk: reference() });
    const first = await submit(request, { idempotencyKey: reference() });
    await assertFirstReceiptStoringNothing(() => submit(request, { idempotencyKey: reference() }), first);
    await assertFirstReceiptStoringNothing(() => submit(request), first);
  });

  test('the receipt of a message with attachments and every optional field comes back whole', async () => {
    const request = aanleverRequest({
      aanleverkenmerk: reference(),
      eerderAanleverkenmerk: 'factuur-2024-0001',
      identiteitOntvanger: { nummer: '00000099000000000101', type: 'OIN' },
      rolOntvanger: 'Ontvanger',
      autorisatieAdres: 'http://geenausp.nl',
      berichtBijlagen: [{ mimeType: 'text/xml', bestandsnaam: 'bijlage.xml', inhoud: base64(Buffer.from('<bijlage/>')) }],
    });
    const first = await submit(request);
    await assertFirstReceiptStoringNothing(() => submit(reordered(request)), first);
  });
});

describe('the same key with another request is refused (ALS100), never taken for a retry', () => {
  test('the same aanleverkenmerk with other content, and with another bestandsnaam', async () => {
    const aanleverkenmerk = reference();
    const first = await submit(aanleverRequest({ aanleverkenmerk }));
    await assertRefusedAsReused(() => submit(aanleverRequest({ aanleverkenmerk }, Buffer.from('<Invoice>een andere factuur</Invoice>'))), /^het aanleverkenmerk herhaal-\d+ /);
    const otherName = aanleverRequest({ aanleverkenmerk });
    otherName.berichtInhoud = { ...(otherName.berichtInhoud as object), bestandsnaam: 'factuur-2.xml' };
    await assertRefusedAsReused(() => submit(otherName), /aanleverkenmerk/);
    // The honest retry still gets its receipt after the refusals.
    await assertFirstReceiptStoringNothing(() => submit(aanleverRequest({ aanleverkenmerk })), first);
  });

  test('the same Idempotency-Key with another aanleverkenmerk', async () => {
    const idempotencyKey = reference();
    await submit(aanleverRequest({ aanleverkenmerk: reference() }), { idempotencyKey });
    await assertRefusedAsReused(() => submit(aanleverRequest({ aanleverkenmerk: reference() }), { idempotencyKey }), /^de Idempotency-Key herhaal-\d+ /);
  });

  test('a new Idempotency-Key does not make a known aanleverkenmerk with other content acceptable', async () => {
    const aanleverkenmerk = reference();
    await submit(aanleverRequest({ aanleverkenmerk }));
    await assertRefusedAsReused(() => submit(aanleverRequest({ aanleverkenmerk, rolBelanghebbende: 'Intermediair' }), { idempotencyKey: reference() }), /^het aanleverkenmerk /);
  });
});

describe('what is not a resubmission makes a message of its own', () => {
  test('without an aanleverkenmerk and without an Idempotency-Key nothing is deduplicated', async () => {
    const before = await stored();
    const first = await submit(aanleverRequest());
    const second = await submit(aanleverRequest());
    assert.notEqual(second.kenmerk, first.kenmerk);
    const after = await stored();
    assert.equal(after.messages, before.messages + 2);
    assert.equal(after.submission_keys, before.submission_keys, 'a submission without a key claims none');
  });

  test('a refused submission claims no key: the same aanleverkenmerk in a correct request is a new message', async () => {
    const aanleverkenmerk = reference();
    const pdf = { mimeType: 'application/pdf', bestandsnaam: 'factuur.pdf', inhoud: base64(invoice) };
    await assert.rejects(submit(aanleverRequest({ aanleverkenmerk, berichtInhoud: pdf })), Refusal);
    const before = await stored();
    assert.equal((await submit(aanleverRequest({ aanleverkenmerk }))).statuscode, '100');
    assert.equal((await stored()).messages, before.messages + 1);
  });

  test('the same aanleverkenmerk and Idempotency-Key from another sender OIN', async () => {
    const aanleverkenmerk = reference();
    const idempotencyKey = reference();
    const first = await submit(aanleverRequest({ aanleverkenmerk }), { idempotencyKey });
    const other = await submit(aanleverRequest({ aanleverkenmerk }), { idempotencyKey }, OTHER_SENDER);
    assert.notEqual(other.kenmerk, first.kenmerk);
  });

  test('after the window the key is free: a new message, which the key then answers for', async () => {
    const windowMs = 300;
    const service = fixture.service({ windowMs });
    const request = aanleverRequest({ aanleverkenmerk: reference() });
    const first = await service.submit(SENDER, request);
    await sleep(windowMs + 200);

    // Only the message tables: with a window this short the submission also sweeps the other tests' keys.
    const before = await fixture.stored();
    const second = await service.submit(SENDER, request);
    assert.notEqual(second.kenmerk, first.kenmerk);
    assert.deepEqual(await fixture.stored(), { messages: before.messages + 1, payloads: before.payloads + 1, payload_chunks: before.payload_chunks + 1, outbox: before.outbox + 3 });
    assert.deepEqual(await service.submit(SENDER, request), second, 'within the new window the key answers with the second receipt');

    await sleep(windowMs + 200);
    const other = await service.submit(SENDER, aanleverRequest({ aanleverkenmerk: request.aanleverkenmerk }, Buffer.from('<Invoice>later</Invoice>')));
    assert.notEqual(other.kenmerk, second.kenmerk, 'after the window even other content may take the key');
  });
});

describe('concurrent duplicates', () => {
  // The scratch pool has 4 connections: 4 submissions at once each hold a transaction.
  const CONCURRENT = 4;
  // Content of a few MiB keeps the first transaction open long enough for the others to arrive while it writes.
  const content = Buffer.alloc(4 * 1024 * 1024, '<Invoice/>');

  for (const [name, keyed] of [
    ['the same aanleverkenmerk', (key: string) => ({ request: aanleverRequest({ aanleverkenmerk: key }, content), options: {} })],
    ['the same Idempotency-Key', (key: string) => ({ request: aanleverRequest({}, content), options: { idempotencyKey: key } })],
  ] as const) {
    test(`${name} ${CONCURRENT} times at once makes exactly one message, and every answer is its receipt`, async () => {
      const before = await stored();
      const { request, options } = keyed(reference());
      const receipts = await Promise.all(Array.from({ length: CONCURRENT }, () => submit(structuredClone(request), options)));

      assert.equal(new Set(receipts.map((receipt) => receipt.kenmerk)).size, 1, `one kenmerk, got ${receipts.map((receipt) => receipt.kenmerk).join(', ')}`);
      for (const receipt of receipts) assert.deepEqual(receipt, receipts[0]);
      assert.deepEqual(await stored(), {
        messages: before.messages + 1,
        payloads: before.payloads + 1,
        payload_chunks: before.payload_chunks + 4,
        outbox: before.outbox + 3,
        submission_keys: before.submission_keys + 1,
      });
    });
  }

});

describe('the window cleans itself up', () => {
  test('keys older than the window are deleted by later submissions that claim a key', async () => {
    const windowMs = 200;
    const service = fixture.service({ windowMs });
    for (let i = 0; i < 3; i++) await service.submit(SENDER, aanleverRequest({ aanleverkenmerk: reference() }), { idempotencyKey: reference() });
    await sleep(windowMs + 200);

    await service.submit(SENDER, aanleverRequest({ aanleverkenmerk: reference() }));

    const { rows } = await fixture.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM submission_keys WHERE created_at < now() - $1::float8 * interval '1 millisecond'`,
      [windowMs],
    );
    assert.equal(rows[0]!.n, 0, 'no expired key is left');
    assert.ok((await fixture.db.count('submission_keys')) >= 1, 'the fresh key stays');
  });
});
