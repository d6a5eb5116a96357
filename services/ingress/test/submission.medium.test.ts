import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { Refusal, TOPICS, type Envelope, type RefusalKind } from '@poort/contracts';
import type { PayloadStore } from '@poort/payload-store';
import type { ScratchDatabase } from '@poort/testing';

import { InFlightLimiter } from '../src/submission/in-flight-limiter.js';
import { MessagesRepository } from '../src/submission/messages.repository.js';
import { SubmissionAdmission } from '../src/submission/submission-admission.js';
import { SubmissionKeysRepository } from '../src/submission/submission-keys.repository.js';
import { SubmissionService } from '../src/submission/submission.service.js';
import { DAY_MS, SENDER, SubmissionFixture, base64, invoice } from './submission-fixture.js';

/**
 * aanleveren on a real Postgres: the one use case behind REST and WUS, with the shipped message catalog. What a
 * sender sees is the receipt or the refusal (code and kind); what Poort keeps is read back from the tables.
 */

const MIB = 1024 * 1024;
/** The e-factuur type's content.maxBytes in config/message-types/e-factuur.yaml (the koppelvlak's 20 MiB). */
const E_FACTUUR_MAX_BYTES = 20 * MIB;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let fixture: SubmissionFixture;
let db: ScratchDatabase;
let payloads: PayloadStore;
let messages: MessagesRepository;

before(async () => {
  fixture = await SubmissionFixture.create('ingress_submission');
  ({ db, payloads, messages } = fixture);
});

after(async () => {
  await fixture?.drop();
});

const service = (limiter = new InFlightLimiter(16)): SubmissionService => fixture.service({ limiter });

let aanleverkenmerken = 0;
/**
 * A valid aanleverRequest for e-factuur, in its REST form, with the sample invoice as content. Each has an
 * aanleverkenmerk of its own: the same one twice would be a resubmission (see resubmission.medium.test.ts).
 */
function aanleverRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    berichtsoort: 'e-factuur',
    aanleverkenmerk: `factuur-test-${++aanleverkenmerken}`,
    identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: base64(invoice) },
    autorisatieAdres: 'http://geenausp.nl',
    ...overrides,
  };
}

const file = (bestandsnaam: string, bytes: Uint8Array, mimeType = 'application/xml') => ({ mimeType, bestandsnaam, inhoud: base64(bytes) });

const stored = () => fixture.stored();

/** The request is refused with this code and kind, and not one row of it stays behind. */
async function assertRefusedStoringNothing(
  submission: () => Promise<unknown>,
  expected: { code: 'ALS100' | 'ALS400'; kind: RefusalKind; messageIncludes?: string; withDetails?: boolean },
): Promise<Refusal> {
  const before = await stored();
  let refusal: Refusal | undefined;
  await assert.rejects(submission(), (error: unknown) => {
    assert.ok(error instanceof Refusal, `expected a Refusal, got ${String(error)}`);
    refusal = error;
    return true;
  });
  assert.deepEqual({ code: refusal!.code, kind: refusal!.kind }, { code: expected.code, kind: expected.kind }, refusal!.message);
  if (expected.messageIncludes) assert.ok(refusal!.message.includes(expected.messageIncludes), refusal!.message);
  if (expected.withDetails) assert.ok(refusal!.details !== undefined, 'the refusal names what is wrong in its details');
  assert.deepEqual(await stored(), before, 'a refused submission stores nothing');
  return refusal!;
}

interface OutboxRow {
  topic: string;
  message_key: string;
  value: { eventId: string; statuscode?: string; kenmerk?: string; envelope?: { kenmerk: string } };
}

async function outboxFor(kenmerk: string): Promise<OutboxRow[]> {
  const { rows } = await db.pool.query<{ topic: string; message_key: string; value: string }>(
    "SELECT topic, message_key, value FROM outbox WHERE source = 'ingress' AND message_key = $1 ORDER BY id",
    [kenmerk],
  );
  return rows.map((row) => ({ ...row, value: JSON.parse(row.value) as OutboxRow['value'] }));
}

describe('an accepted submission', () => {
  test('answers with a kenmerk and statuscode 100, and commits the message, its content and its first events together', async () => {
    const attachment = Buffer.from('%PDF-1.7 bijlage bij de factuur\n', 'utf8');
    const before = await stored();

    const receipt = await service().submit(
      SENDER,
      aanleverRequest({
        aanleverkenmerk: 'factuur-2025-0042',
        berichtBijlagen: [file('bijlage.xml', attachment, 'text/xml')],
        identiteitOntvanger: { nummer: '00000099000000000101', type: 'OIN' },
      }),
    );

    assert.match(receipt.kenmerk, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(receipt.statuscode, '100');
    assert.equal(receipt.statusomschrijving, 'Aanleveren gelukt');
    assert.equal(receipt.berichtsoort, 'e-factuur');
    assert.equal(receipt.aanleverkenmerk, 'factuur-2025-0042');
    assert.deepEqual(receipt.identiteitBelanghebbende, { nummer: '123456782', type: 'Fi' });
    assert.deepEqual(receipt.identiteitOntvanger, { nummer: '00000099000000000101', type: 'OIN' });
    assert.ok(Math.abs(Date.parse(receipt.tijdstempelAangeleverd) - Date.now()) < 60_000, receipt.tijdstempelAangeleverd);

    // The message record: the envelope, with the sender taken from the certificate.
    const envelope = await messages.find(receipt.kenmerk);
    assert.ok(envelope, 'the messages row exists');
    assert.equal(envelope.kenmerk, receipt.kenmerk);
    assert.equal(envelope.tijdstempelAangeleverd, receipt.tijdstempelAangeleverd);
    assert.deepEqual(envelope.sender, { oin: SENDER.oin, certificateFingerprint: SENDER.fingerprintSha256 });
    assert.deepEqual(
      [envelope.content, ...envelope.attachments].map(({ size, sha256, mimeType, bestandsnaam }) => ({ size, sha256, mimeType, bestandsnaam })),
      [
        { size: invoice.byteLength, sha256: sha256(invoice), mimeType: 'application/xml', bestandsnaam: 'factuur.xml' },
        { size: attachment.byteLength, sha256: sha256(attachment), mimeType: 'text/xml', bestandsnaam: 'bijlage.xml' },
      ],
    );

    // The content, byte for byte.
    assert.deepEqual(await payloads.read(envelope.content), invoice);
    assert.deepEqual(await payloads.read(envelope.attachments[0]!), attachment);

    // The first events, in order: 100, received, 110; each with its own id, all keyed by the kenmerk.
    const events = await outboxFor(receipt.kenmerk);
    assert.deepEqual(
      events.map((event) => [event.topic, event.value.statuscode]),
      [
        [TOPICS.statusChanged, '100'],
        [TOPICS.received, undefined],
        [TOPICS.statusChanged, '110'],
      ],
    );
    assert.equal(new Set(events.map((event) => event.value.eventId)).size, 3, 'each event has its own eventId');
    assert.deepEqual(events[1]!.value.envelope, envelope);

    assert.deepEqual(await stored(), {
      messages: before.messages + 1,
      payloads: before.payloads + 2,
      payload_chunks: before.payload_chunks + 2,
      outbox: before.outbox + 3,
    });
  });

  test('content larger than one chunk and up to the type\'s maxBytes is accepted and kept byte for byte', async () => {
    const content = Buffer.alloc(E_FACTUUR_MAX_BYTES);
    for (let offset = 0; offset < content.byteLength; offset += 4) content.writeUInt32BE(offset, offset);

    const receipt = await service().submit(SENDER, aanleverRequest({ berichtInhoud: file('groot.xml', content) }));

    const envelope = await messages.find(receipt.kenmerk);
    assert.equal(envelope?.content.size, E_FACTUUR_MAX_BYTES);
    assert.ok((await payloads.read(envelope.content)).equals(content), 'the stored content is the submitted content');
  });
});

describe('a refused submission gets its foutcode and kind and stores nothing', () => {
  test('a request that is not the koppelvlak (a required field missing) is ALS100 invalid, naming the field', async () => {
    const { rolBelanghebbende: _missing, ...request } = aanleverRequest();
    const refusal = await assertRefusedStoringNothing(() => service().submit(SENDER, request), {
      code: 'ALS100',
      kind: 'invalid',
      messageIncludes: 'rolBelanghebbende',
      withDetails: true,
    });
    const details = refusal.details as { issues: { veld: string; fout: string }[]; aantal: number };
    assert.deepEqual(details.issues.map((issue) => issue.veld), ['rolBelanghebbende']);
    assert.equal(details.aantal, 1);
  });

  test('a request with a field the koppelvlak does not have is ALS100 invalid, naming the field', async () => {
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ prioriteit: 'hoog' })), {
      code: 'ALS100',
      kind: 'invalid',
      messageIncludes: 'prioriteit',
      withDetails: true,
    });
  });

  test('content that is not base64 is ALS100 invalid, naming berichtInhoud.inhoud', async () => {
    const berichtInhoud = { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: '<Invoice>niet gecodeerd</Invoice>' };
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtInhoud })), {
      code: 'ALS100',
      kind: 'invalid',
      messageIncludes: 'berichtInhoud.inhoud',
      withDetails: true,
    });
  });

  test('a request that is no object at all is ALS100 invalid', async () => {
    for (const request of [undefined, null, 'aanleveren', []]) {
      await assertRefusedStoringNothing(() => service().submit(SENDER, request), { code: 'ALS100', kind: 'invalid', withDetails: true });
    }
  });

  test('an unknown berichtsoort is ALS100 invalid', async () => {
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtsoort: 'Aangifte_LH' })), {
      code: 'ALS100',
      kind: 'invalid',
      messageIncludes: 'Aangifte_LH',
    });
  });

  test('a kenmerk sent by the client is ALS100 invalid: Poort assigns the kenmerk', async () => {
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ kenmerk: 'c0f9e133-53ae-429e-af41-acd6e0abc570' })), {
      code: 'ALS100',
      kind: 'invalid',
      messageIncludes: 'kenmerk',
    });
  });

  test('content and attachments each have their own mimeTypes: a PDF attachment is fine, a PDF as the content is ALS100 unsupported-media-type', async () => {
    const pdf = Buffer.from('%PDF-1.7\n');
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtInhoud: file('factuur.pdf', pdf, 'application/pdf') })), {
      code: 'ALS100',
      kind: 'unsupported-media-type',
      messageIncludes: 'application/pdf',
    });
    const receipt = await service().submit(SENDER, aanleverRequest({ berichtBijlagen: [file('bijlage.pdf', pdf, 'application/pdf')] }));
    const stored = await db.pool.query<{ envelope: Envelope }>('SELECT envelope FROM messages WHERE kenmerk = $1', [receipt.kenmerk]);
    assert.deepEqual(
      stored.rows[0]?.envelope.attachments.map((attachment) => [attachment.bestandsnaam, attachment.mimeType, attachment.size]),
      [['bijlage.pdf', 'application/pdf', pdf.byteLength]],
    );
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtBijlagen: [file('setup.exe', pdf, 'application/x-msdownload')] })), {
      code: 'ALS100',
      kind: 'unsupported-media-type',
      messageIncludes: 'bijlage setup.exe',
    });
  });

  test('content over the type\'s maxBytes is ALS100 too-large', async () => {
    const tooLarge = Buffer.alloc(E_FACTUUR_MAX_BYTES + 1, 0x20);
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtInhoud: file('te-groot.xml', tooLarge) })), {
      code: 'ALS100',
      kind: 'too-large',
      messageIncludes: 'te-groot.xml',
    });
  });

  test('an attachment over the type\'s maxBytes is ALS100 too-large, and nothing of the content or the other attachments remains', async () => {
    const tooLarge = Buffer.alloc(E_FACTUUR_MAX_BYTES + 1, 0x20);
    const fine = Buffer.alloc(3 * MIB, 0x41);
    const berichtBijlagen = [file('bijlage-1.xml', fine), file('bijlage-2.xml', tooLarge), file('bijlage-3.xml', invoice)];
    await assertRefusedStoringNothing(() => service().submit(SENDER, aanleverRequest({ berichtBijlagen })), {
      code: 'ALS100',
      kind: 'too-large',
      messageIncludes: 'bijlage-2.xml',
    });
  });

  test('when the in-flight limit is reached the request is ALS400 overloaded, and accepted again once a slot is free', async () => {
    await assertRefusedStoringNothing(() => service(new InFlightLimiter(0)).submit(SENDER, aanleverRequest()), { code: 'ALS400', kind: 'overloaded' });

    const limiter = new InFlightLimiter(1);
    assert.ok(limiter.tryAcquire(), 'a submission in flight holds the only slot');
    await assertRefusedStoringNothing(() => service(limiter).submit(SENDER, aanleverRequest()), { code: 'ALS400', kind: 'overloaded' });
    limiter.release();
    assert.equal((await service(limiter).submit(SENDER, aanleverRequest())).statuscode, '100');
  });
});

describe('the in-flight slot', () => {
  test('is released after a success and after every refusal: a limit of 1 takes submissions one after another', async () => {
    const limiter = new InFlightLimiter(1);
    const submissions = service(limiter);
    const slotIsFree = (after: string): void => {
      assert.ok(limiter.tryAcquire(), `the slot is free again after ${after}`);
      limiter.release();
    };

    await submissions.submit(SENDER, aanleverRequest());
    slotIsFree('an accepted submission');
    const refused: Record<string, Record<string, unknown>> = {
      'a request that is not the koppelvlak': aanleverRequest({ onbekend: true }),
      'an unknown berichtsoort': aanleverRequest({ berichtsoort: 'onbekend' }),
      'a kenmerk sent by the client': aanleverRequest({ kenmerk: 'eigen-kenmerk' }),
      'an unsupported mimeType': aanleverRequest({ berichtInhoud: file('factuur.pdf', invoice, 'application/pdf') }),
      'content over maxBytes': aanleverRequest({ berichtInhoud: file('te-groot.xml', Buffer.alloc(E_FACTUUR_MAX_BYTES + 1)) }),
    };
    for (const [reason, request] of Object.entries(refused)) {
      await assert.rejects(submissions.submit(SENDER, request), Refusal, reason);
      slotIsFree(reason);
    }
    await submissions.submit(SENDER, aanleverRequest());
    await submissions.submit(SENDER, aanleverRequest());
    slotIsFree('two more accepted submissions');
  });
});

describe('a refusal of one file leaves nothing of the others', () => {
  test('a too-large file stores nothing, not even the 20 MiB file beside it', async () => {
    const before = await stored();
    const request = aanleverRequest({ berichtInhoud: file('te-groot.xml', Buffer.alloc(E_FACTUUR_MAX_BYTES + 1)), berichtBijlagen: [file('bijlage.xml', Buffer.alloc(E_FACTUUR_MAX_BYTES))] });

    await assert.rejects(service().submit(SENDER, request), (error: unknown) => error instanceof Refusal && error.kind === 'too-large');
    // A statement that outlived its transaction would land just after the rollback: give it the time before counting.
    await sleep(250);

    assert.deepEqual(await stored(), before);
  });
});

describe('submissions that arrive together (group commit)', () => {
  /** The message record, refusing to store a batch that holds the aanleverkenmerk 'gif': a fault in one submission. */
  class PoisonableMessages extends MessagesRepository {
    readonly batchSizes: number[] = [];
    override insertWrite(...[params, envelopes]: Parameters<MessagesRepository['insertWrite']>): string {
      this.batchSizes.push(envelopes.length);
      if (envelopes.some((envelope) => envelope.aanleverkenmerk === 'gif')) throw new Error('the database refuses this message');
      return super.insertWrite(params, envelopes);
    }
  }

  test('share a transaction, each with its own content, record and events; a fault in one leaves the others accepted', async () => {
    const poisonable = new PoisonableMessages(db.pool);
    const together = new SubmissionService(fixture.unitOfWork, fixture.catalog, payloads, poisonable, new SubmissionKeysRepository(DAY_MS), new SubmissionAdmission(new InFlightLimiter(16)));
    const contents = Array.from({ length: 6 }, (_, index) => Buffer.from(invoice.toString('utf8').replace('</Invoice>', `<!-- ${index} --></Invoice>`)));
    const before = await stored();

    const outcomes = await Promise.allSettled(
      contents.map((content, index) =>
        together.submit(SENDER, aanleverRequest({ berichtInhoud: file('factuur.xml', content), ...(index === 3 ? { aanleverkenmerk: 'gif' } : {}) })),
      ),
    );

    assert.ok(poisonable.batchSizes[0]! > 1, `the first transaction held several submissions (batches: ${poisonable.batchSizes.join(', ')})`);
    assert.equal(outcomes[3]!.status, 'rejected');
    assert.match(String((outcomes[3] as PromiseRejectedResult).reason), /the database refuses this message/);
    const receipts = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    assert.equal(receipts.length, 5, 'every other submission is accepted');
    for (const [index, receipt] of outcomes.entries()) {
      if (receipt.status !== 'fulfilled') continue;
      const envelope = await messages.find(receipt.value.kenmerk);
      assert.ok(envelope, `submission ${index} is stored`);
      assert.deepEqual(await payloads.read(envelope.content), contents[index], `submission ${index} has its own content`);
      assert.deepEqual((await outboxFor(receipt.value.kenmerk)).map((event) => event.value.statuscode ?? event.topic), ['100', TOPICS.received, '110']);
    }
    assert.deepEqual(await stored(), {
      messages: before.messages + 5,
      payloads: before.payloads + 5,
      payload_chunks: before.payload_chunks + 5,
      outbox: before.outbox + 15,
    });
  });

  test('a batch of new submissions is one statement; a batch with a resubmission in it goes step by step and stores only the new ones', async () => {
    class CountingKeys extends SubmissionKeysRepository {
      stepByStep = 0;
      override claimAll(...args: Parameters<SubmissionKeysRepository['claimAll']>): ReturnType<SubmissionKeysRepository['claimAll']> {
        this.stepByStep += 1;
        return super.claimAll(...args);
      }
    }
    const keys = new CountingKeys(DAY_MS);
    const together = new SubmissionService(fixture.unitOfWork, fixture.catalog, payloads, messages, keys, new SubmissionAdmission(new InFlightLimiter(16)));
    const run = `${Date.now()}`;
    const contents = Array.from({ length: 5 }, (_, index) => Buffer.from(invoice.toString('utf8').replace('</Invoice>', `<!-- ${run} ${index} --></Invoice>`)));
    const request = (index: number, aanleverkenmerk: string) => aanleverRequest({ berichtInhoud: file('factuur.xml', contents[index]!), aanleverkenmerk });

    const first = await together.submit(SENDER, request(0, `eerder-${run}`));
    assert.equal(keys.stepByStep, 0, 'a new submission is written in one statement');
    const before = await stored();

    const outcomes = await Promise.all([1, 2, 0, 3, 4].map((index) => together.submit(SENDER, request(index, index === 0 ? `eerder-${run}` : `nieuw-${run}-${index}`))));

    assert.ok(keys.stepByStep >= 1, 'the batch that holds the resubmission went step by step');
    assert.equal(outcomes[2]!.kenmerk, first.kenmerk, 'the resubmission answers with the earlier receipt');
    assert.equal(new Set(outcomes.map((outcome) => outcome.kenmerk)).size, 5);
    for (const [position, index] of [1, 2, 0, 3, 4].entries()) {
      const envelope = await messages.find(outcomes[position]!.kenmerk);
      assert.deepEqual(await payloads.read(envelope!.content), contents[index], `submission ${index} has its own content`);
    }
    assert.deepEqual(await stored(), {
      messages: before.messages + 4,
      payloads: before.payloads + 4,
      payload_chunks: before.payload_chunks + 4,
      outbox: before.outbox + 12,
    });
  });
});
