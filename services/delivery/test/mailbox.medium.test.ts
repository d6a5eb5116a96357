import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { Refusal, TOPICS, decodeEvent, type Envelope, type PayloadRef, type StatusChanged } from '@poort/contracts';
import { OutboxRelay, withTransaction, type OutboxPublisher } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { PoortMetrics, createLogger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import { parseOin, type ClientIdentity } from '@poort/pki';
import { ScratchDatabase, TEST_SENDER_OIN, anEnvelope, requiredEnv, scratchConfig, waitFor } from '@poort/testing';

import type { DeliveryChannel } from '../src/delivery/channels/delivery-channel.js';
import { PullMailboxChannel } from '../src/delivery/channels/pull-mailbox.js';
import { DeliveriesRepository, type DeliveryState } from '../src/delivery/deliveries.repository.js';
import { DeliveryMetrics } from '../src/delivery/delivery.metrics.js';
import { DeliveryWorker } from '../src/delivery/delivery.worker.js';
import { MailboxRepository } from '../src/mailbox/mailbox.repository.js';
import { MailboxService } from '../src/mailbox/mailbox.service.js';

/*
 * The mailbox on a real Postgres (the real migrations): the delivery worker parks with the pull channel, the
 * mailbox service fetches, and what was committed (400s) is read from the outbox table; Kafka plays no part.
 */

const OIN_A = '00000099000000000101';
const OIN_B = '00000099000000000102';
const OIN_OTHER = '00000099000000000002';

const logger = createLogger('mailbox-test', 'silent');
let db: ScratchDatabase;
let configDir: string;
let catalog: MessageCatalog;
let deliveries: DeliveriesRepository;
let mailboxes: MailboxRepository;
let payloads: PayloadStore;
let unitOfWork: UnitOfWork;
let service: MailboxService;
let worker: DeliveryWorker;

const publisher: OutboxPublisher = {
  publish: async () => {
    throw new Error('the outbox relay is not started in these tests');
  },
};

/** A certificate of an OIN: its own fingerprint, so two of one OIN have two "new" cursors. */
function certificate(oin: string): ClientIdentity {
  return { oin: parseOin(oin), subject: `serialNumber=${oin}`, fingerprintSha256: randomBytes(32).toString('hex'), notBefore: new Date(0), notAfter: new Date(4e12), issuer: 'test' };
}

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'mailbox');
  configDir = scratchConfig(requiredEnv('POORT_ROOT'), new Map(), {}, {
    recipients: [
      { id: 'postbus-a', name: 'pull recipient a', oin: OIN_A, channel: 'pull' },
      { id: 'postbus-b', name: 'pull recipient b', oin: OIN_B, channel: 'pull', attachments: false },
    ],
    messageTypes: [
      {
        berichtsoort: 'postbus',
        description: 'routed to two pull recipients',
        authorization: { allowedSenders: [TEST_SENDER_OIN] },
        validation: { schema: 'schemas/ubl-invoice/maindoc/UBL-Invoice-2.1.xsd' },
        routing: { routes: [{ recipient: 'postbus-a' }, { recipient: 'postbus-b' }] },
        delivery: { retryWindow: '1h' },
      },
    ],
  });
  catalog = MessageCatalog.load(configDir);
  deliveries = new DeliveriesRepository(db.pool);
  mailboxes = new MailboxRepository(db.pool);
  payloads = new PayloadStore(db.pool);
  unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, publisher, 'delivery', logger), source: 'delivery', metrics: new PoortMetrics('mailbox-test') });
  service = new MailboxService(unitOfWork, mailboxes, deliveries, catalog, payloads);
  worker = new DeliveryWorker(
    logger,
    { pollIntervalMs: 50, concurrency: 8, circuit: { failureThreshold: 5, openMs: 1_000, maxOpenMs: 1_000 } },
    unitOfWork,
    deliveries,
    catalog,
    payloads,
    new DeliveryMetrics(new PoortMetrics('mailbox-test')),
    // The shipped push recipients are never attempted here; the worker only insists that each has a channel.
    new Map<string, DeliveryChannel>([['pull', new PullMailboxChannel(mailboxes)], ['rest', { name: 'rest', deliver: () => Promise.reject(new Error('not in these tests')) }]]),
  );
  worker.onApplicationBootstrap();
});

after(async () => {
  await worker?.beforeApplicationShutdown();
  await db?.drop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

interface Parked {
  readonly envelope: Envelope;
  readonly content: Buffer;
  readonly attachment: Buffer;
}

/** A message for both pull recipients, as routing requests it, waited for until both have it parked. */
async function park(overrides: Partial<Envelope> = {}): Promise<Parked> {
  const content = Buffer.from(`<Invoice>${randomUUID()} – ü</Invoice>`);
  const attachment = Buffer.from(`%PDF-1.7 ${randomUUID()}`);
  const [payload, bijlage] = await withTransaction(db.pool, async (tx): Promise<PayloadRef[]> => [
    await payloads.put(tx, content, { mimeType: 'application/xml', bestandsnaam: 'factuur.xml' }),
    await payloads.put(tx, attachment, { mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf' }),
  ]);
  const envelope = anEnvelope({ kenmerk: `k-${randomUUID()}`, berichtsoort: 'postbus', content: payload!, attachments: [bijlage!], ...overrides });
  await withTransaction(db.pool, (tx) =>
    deliveries.insert(tx, ['postbus-a', 'postbus-b'].map((recipientId) => ({ kenmerk: envelope.kenmerk, recipientId, recipientCount: 2, envelope, payload: payload!, deadline: new Date(Date.now() + 3_600_000) }))),
  );
  worker.kick();
  for (const recipientId of ['postbus-a', 'postbus-b']) await stateReaches(envelope.kenmerk, recipientId, 'parked');
  return { envelope, content, attachment };
}

async function state(kenmerk: string, recipientId: string): Promise<DeliveryState | undefined> {
  const { rows } = await db.pool.query<{ state: DeliveryState }>('SELECT state FROM deliveries WHERE kenmerk = $1 AND recipient_id = $2', [kenmerk, recipientId]);
  return rows[0]?.state;
}

function stateReaches(kenmerk: string, recipientId: string, wanted: DeliveryState): Promise<DeliveryState> {
  return waitFor(`${kenmerk} → ${recipientId} ${wanted}`, async () => ((await state(kenmerk, recipientId)) === wanted ? wanted : undefined), 10_000, 20);
}

async function statuses(kenmerk: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ topic: string; value: string }>("SELECT topic, value FROM outbox WHERE source = 'delivery' ORDER BY id");
  return rows
    .filter((row) => row.topic === TOPICS.statusChanged && (JSON.parse(row.value) as { kenmerk: string }).kenmerk === kenmerk)
    .map((row) => decodeEvent(TOPICS.statusChanged, JSON.parse(row.value)) as StatusChanged)
    .map((status) => status.statuscode);
}

const kenmerken = (list: readonly { envelope?: Envelope; entry?: { envelope: Envelope } }[]) => list.map((item) => (item.envelope ?? item.entry!.envelope).kenmerk);

describe('the mailbox of pull recipients', () => {
  it('parks a message in the mailbox of each recipient\'s OIN with no status: 400 comes only when the last recipient has fetched it', async () => {
    const { envelope, content, attachment } = await park();
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'parked is not delivered');

    const a = certificate(OIN_A);
    const [fetched, ...more] = await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: false });
    assert.equal(more.length, 0);
    assert.ok(fetched!.content.equals(content), 'the stored bytes');
    assert.equal(fetched!.entry.recipientId, 'postbus-a');
    assert.deepEqual(fetched!.attachments.map((bijlage) => bijlage.content.toString()), [attachment.toString()]);
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'delivered');
    assert.equal(await state(envelope.kenmerk, 'postbus-b'), 'parked');
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'no 400 while postbus-b has not fetched it');

    await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: false });
    await service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false });
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'fetching again delivers nothing more');

    const [forB] = await service.fetch(certificate(OIN_B), { kenmerk: envelope.kenmerk, nieuw: true });
    assert.equal(forB!.entry.recipientId, 'postbus-b');
    assert.deepEqual(forB!.attachments, [], 'postbus-b wants no attachments');
    assert.deepEqual(await statuses(envelope.kenmerk), ['400']);
    await service.fetch(certificate(OIN_B), { kenmerk: envelope.kenmerk, nieuw: false });
    assert.deepEqual(await statuses(envelope.kenmerk), ['400'], 'one 400');
  });

  it('"new" is per certificate: a second call returns nothing new, another certificate of the same OIN gets it all', async () => {
    const belanghebbende = { nummer: `B${randomBytes(4).toString('hex')}`, type: 'Fi' };
    const first = await park({ identiteitBelanghebbende: belanghebbende });
    const second = await park({ identiteitBelanghebbende: belanghebbende });
    const filter = { belanghebbende, nieuw: true };
    const a1 = certificate(OIN_A);
    assert.deepEqual(kenmerken(await service.fetch(a1, filter)), [first.envelope.kenmerk, second.envelope.kenmerk]);
    assert.deepEqual(await service.fetch(a1, filter), []);
    const third = await park({ identiteitBelanghebbende: belanghebbende });
    assert.deepEqual(kenmerken(await service.fetch(a1, filter)), [third.envelope.kenmerk]);

    const a2 = certificate(OIN_A);
    assert.deepEqual(kenmerken(await service.fetch(a2, filter)), [first, second, third].map((each) => each.envelope.kenmerk));
    assert.deepEqual(kenmerken(await service.fetch(a1, { belanghebbende, nieuw: false })), [first, second, third].map((each) => each.envelope.kenmerk), 'not new: everything');
  });

  it('a list is not a fetch: the new list shows what is not fetched, and listing it changes nothing', async () => {
    const berichtsoortFilter = { berichtsoort: 'postbus' };
    const { envelope } = await park({ identiteitBelanghebbende: { nummer: 'LIJST-1', type: 'Fi' } });
    const a = certificate(OIN_A);
    const listed = await service.list(a, { ...berichtsoortFilter, nieuw: true });
    assert.ok(kenmerken(listed).includes(envelope.kenmerk));
    assert.ok(kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: true })).includes(envelope.kenmerk), 'still new after listing');
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'parked');
    await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: true });
    assert.ok(!kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: true })).includes(envelope.kenmerk));
    assert.ok(kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: false })).includes(envelope.kenmerk));
  });

  it('each OIN sees its own mailbox only: another OIN\'s kenmerk is unknown, its lists are empty', async () => {
    const { envelope } = await park();
    const other = certificate(OIN_OTHER);
    await assert.rejects(service.fetch(other, { kenmerk: envelope.kenmerk, nieuw: false }), (error: unknown) => error instanceof Refusal && error.kind === 'not-found' && error.code === 'OPS100');
    await assert.rejects(service.fetch(other, { kenmerk: envelope.kenmerk, nieuw: true }), (error: unknown) => error instanceof Refusal && error.kind === 'not-found');
    assert.deepEqual(await service.list(other, { nieuw: false }), []);
    assert.deepEqual(await service.fetch(other, { nieuw: true }), []);
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'parked');
  });

  it('windows on tijdstempelAangeleverd (from inclusive, until exclusive); a window that ends before it starts is refused', async () => {
    const at = new Date(Date.now() - 86_400_000);
    const { envelope } = await park({ tijdstempelAangeleverd: at.toISOString(), identiteitBelanghebbende: { nummer: 'WINDOW-1', type: 'Fi' } });
    const a = certificate(OIN_A);
    const belanghebbende = { nummer: 'WINDOW-1' };
    assert.deepEqual(kenmerken(await service.list(a, { belanghebbende, vanaf: at, tot: new Date(at.getTime() + 1), nieuw: false })), [envelope.kenmerk]);
    assert.deepEqual(await service.list(a, { belanghebbende, vanaf: new Date(at.getTime() + 1), nieuw: false }), []);
    assert.deepEqual(await service.list(a, { belanghebbende, tot: at, nieuw: false }), []);
    await assert.rejects(service.list(a, { vanaf: new Date(at.getTime() + 1), tot: at, nieuw: false }), (error: unknown) => error instanceof Refusal && error.kind === 'invalid');
  });

  it('both recipients fetching at the same moment: one 400', async () => {
    const parkedMessages = await Promise.all(Array.from({ length: 5 }, () => park({ identiteitBelanghebbende: { nummer: 'RACE-1', type: 'Fi' } })));
    const filter = { belanghebbende: { nummer: 'RACE-1' }, nieuw: true };
    await Promise.all([service.fetch(certificate(OIN_A), filter), service.fetch(certificate(OIN_B), filter), service.fetch(certificate(OIN_A), filter)]);
    for (const { envelope } of parkedMessages) assert.deepEqual(await statuses(envelope.kenmerk), ['400'], envelope.kenmerk);
  });
});
