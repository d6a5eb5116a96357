import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Refusal, TOPICS, decodeEvent, type Envelope, type MessageReturned, type PayloadRef, type StatusChanged } from '@poort/contracts';
import { OutboxRelay, withTransaction, type OutboxPublisher } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { PoortMetrics, createLogger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import { generateTestPki, parseOin, type ClientIdentity, type TestPki } from '@poort/pki';
import { ScratchDatabase, TEST_SENDER_OIN, anEnvelope, decryptWithNodeJose, decryptWithPyca, requiredEnv, scratchConfig, waitFor } from '@poort/testing';

import type { DeliveryChannel } from '../src/delivery/channels/delivery-channel.js';
import { PullMailboxChannel } from '../src/delivery/channels/pull-mailbox.js';
import { DeliveriesRepository, type DeliveryState } from '../src/delivery/deliveries.repository.js';
import { DeliveryCredentials, deliveryCredentialSettings } from '../src/delivery/delivery-credentials.js';
import { DeliveryMetrics } from '../src/delivery/delivery.metrics.js';
import { DeliveryWorker } from '../src/delivery/delivery.worker.js';
import { LargeContentNotices } from '../src/files/large-content.js';
import { MailboxEncryption } from '../src/mailbox/mailbox-encryption.js';
import { MailboxSweeper } from '../src/mailbox/mailbox-sweeper.js';
import { MailboxRepository } from '../src/mailbox/mailbox.repository.js';
import { MailboxService } from '../src/mailbox/mailbox.service.js';

/*
 * The mailbox on a real Postgres (the real migrations): the delivery worker parks with the pull channel, the
 * mailbox service fetches, the sweeper ends what is not fetched in time, and what was committed (400s, 420s, retour
 * afzender) is read from the outbox table; Kafka plays no part.
 */

const OIN_A = '00000099000000000101';
const OIN_B = '00000099000000000102';
const OIN_OTHER = '00000099000000000002';
/** The mailbox of a pull recipient that wants what it fetches encrypted (for recipient-a's certificate). */
const OIN_KLUIS = '00000099000000000003';
const DAY_MS = 86_400_000;
/** Contents larger than two chunks are fetched as a Grote Berichten notice (DELIVERY_INLINE_MAX_BYTES). */
const notices = new LargeContentNotices({ inlineMaxBytes: 2 * 1024 * 1024, retentionMs: 7 * DAY_MS, baseUrl: 'https://poort.example' });

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
let sweeper: MailboxSweeper;
let pki: TestPki;

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
  pki = await generateTestPki(join(requiredEnv('POORT_ROOT'), '.local/test-pki'), { ifMissing: true });
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'mailbox');
  configDir = scratchConfig(requiredEnv('POORT_ROOT'), new Map(), {}, {
    recipients: [
      { id: 'postbus-a', name: 'pull recipient a', oin: OIN_A, channel: 'pull' },
      { id: 'postbus-b', name: 'pull recipient b', oin: OIN_B, channel: 'pull', attachments: false },
      { id: 'kluis', name: 'encrypting pull recipient', oin: OIN_KLUIS, channel: 'pull', encrypt: true, certificate: pki.clients['recipient-a'].cert },
    ],
    messageTypes: [
      {
        berichtsoort: 'postbus',
        description: 'routed to two pull recipients',
        authorization: { allowedSenders: [TEST_SENDER_OIN] },
        validation: { schema: 'standard:ubl-2.1.xsd' },
        routing: { routes: [{ recipient: 'postbus-a' }, { recipient: 'postbus-b' }] },
        delivery: { retryWindow: '1h' },
      },
      {
        berichtsoort: 'kluis',
        description: 'routed to the encrypting pull recipient',
        authorization: { allowedSenders: [TEST_SENDER_OIN] },
        validation: { schema: 'standard:ubl-2.1.xsd' },
        routing: { routes: [{ recipient: 'kluis' }] },
        delivery: { retryWindow: '1h' },
      },
    ],
  });
  catalog = MessageCatalog.load(configDir);
  deliveries = new DeliveriesRepository(db.pool);
  mailboxes = new MailboxRepository(db.pool);
  payloads = new PayloadStore(db.pool);
  unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, publisher, 'delivery', logger), source: 'delivery', metrics: new PoortMetrics('mailbox-test') });
  const credentials = DeliveryCredentials.load(deliveryCredentialSettings({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain }), catalog.recipients);
  service = new MailboxService(unitOfWork, mailboxes, deliveries, catalog, payloads, new MailboxEncryption(credentials, catalog.recipients), notices);
  // Not started: each test sweeps when it wants to.
  sweeper = new MailboxSweeper(logger, { retentionMs: 90 * DAY_MS }, unitOfWork, deliveries, mailboxes, catalog);
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
    notices,
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

/** A message for both pull recipients (or those given), as routing requests it, waited for until each has it parked. */
async function park(overrides: Partial<Envelope> = {}, recipients = ['postbus-a', 'postbus-b']): Promise<Parked> {
  const content = Buffer.from(`<Invoice>${randomUUID()} – ü</Invoice>`);
  const attachment = Buffer.from(`%PDF-1.7 ${randomUUID()}`);
  const [payload, bijlage] = await withTransaction(db.pool, async (tx): Promise<PayloadRef[]> => [
    await payloads.put(tx, content, { mimeType: 'application/xml', bestandsnaam: 'factuur.xml' }),
    await payloads.put(tx, attachment, { mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf' }),
  ]);
  const berichtsoort = recipients.includes('kluis') ? 'kluis' : 'postbus';
  const envelope = anEnvelope({ kenmerk: `k-${randomUUID()}`, berichtsoort, content: payload!, attachments: [bijlage!], ...overrides });
  await withTransaction(db.pool, (tx) =>
    deliveries.insert(tx, recipients.map((recipientId) => ({ kenmerk: envelope.kenmerk, recipientId, recipientCount: recipients.length, envelope, payload: payload!, deadline: new Date(Date.now() + 3_600_000) }))),
  );
  worker.kick();
  for (const recipientId of recipients) await stateReaches(envelope.kenmerk, recipientId, 'parked');
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
  return (await statusEvents(kenmerk)).map((status) => status.statuscode);
}

async function events(topic: string, kenmerk: string): Promise<unknown[]> {
  const { rows } = await db.pool.query<{ value: string }>("SELECT value FROM outbox WHERE source = 'delivery' AND topic = $1 ORDER BY id", [topic]);
  return rows.map((row) => JSON.parse(row.value) as { kenmerk: string }).filter((event) => event.kenmerk === kenmerk);
}

async function statusEvents(kenmerk: string): Promise<StatusChanged[]> {
  return (await events(TOPICS.statusChanged, kenmerk)).map((event) => decodeEvent(TOPICS.statusChanged, event) as StatusChanged);
}

async function returnedToSender(kenmerk: string): Promise<MessageReturned[]> {
  return (await events(TOPICS.returnedToSender, kenmerk)).map((event) => decodeEvent(TOPICS.returnedToSender, event) as MessageReturned);
}

/** The window of this message's delivery to this recipient ends (ended) at `deadline`. */
async function setDeadline(kenmerk: string, recipientId: string, deadline: Date): Promise<void> {
  await db.pool.query('UPDATE deliveries SET deadline = $3 WHERE kenmerk = $1 AND recipient_id = $2', [kenmerk, recipientId, deadline]);
}

async function inMailbox(kenmerk: string, recipientId: string): Promise<boolean> {
  const { rows } = await db.pool.query('SELECT 1 FROM mailbox WHERE kenmerk = $1 AND recipient_id = $2', [kenmerk, recipientId]);
  return rows.length > 0;
}

/** Statements of this scratch database that wait for a lock. */
async function waitingForLocks(): Promise<number> {
  const { rows } = await db.pool.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows[0]!.count;
}

const kenmerken = (list: readonly { envelope?: Envelope; entry?: { envelope: Envelope } }[]) => list.map((item) => (item.envelope ?? item.entry!.envelope).kenmerk);

describe('the mailbox of pull recipients', () => {
  it('parks a message in the mailbox of each recipient\'s OIN with no status: 400 comes only when the last recipient has fetched it', async () => {
    const { envelope, content, attachment } = await park();
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'parked is not delivered');

    const a = certificate(OIN_A);
    const [fetched, ...more] = await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    assert.equal(more.length, 0);
    assert.ok(fetched!.berichtInhoud.inhoud.equals(content), 'the stored bytes');
    assert.equal(fetched!.berichtInhoud.mimeType, 'application/xml', 'not encrypted');
    assert.equal(fetched!.entry.recipientId, 'postbus-a');
    assert.deepEqual(fetched!.berichtBijlagen.map((bijlage) => bijlage.inhoud.toString()), [attachment.toString()]);
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'delivered');
    assert.equal(await state(envelope.kenmerk, 'postbus-b'), 'parked');
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'no 400 while postbus-b has not fetched it');

    await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    await service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    assert.deepEqual(await statuses(envelope.kenmerk), [], 'fetching again delivers nothing more');

    const [forB] = await service.fetch(certificate(OIN_B), { kenmerk: envelope.kenmerk, nieuw: true }, 'xmlenc');
    assert.equal(forB!.entry.recipientId, 'postbus-b');
    assert.deepEqual(forB!.berichtBijlagen, [], 'postbus-b wants no attachments');
    assert.deepEqual(await statuses(envelope.kenmerk), ['400']);
    await service.fetch(certificate(OIN_B), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    assert.deepEqual(await statuses(envelope.kenmerk), ['400'], 'one 400');
  });

  it('a content over DELIVERY_INLINE_MAX_BYTES is fetched as its Grote Berichten notice, and that fetch is its delivery', async () => {
    const large = randomBytes(2 * 1024 * 1024 + 1);
    const payload = await withTransaction(db.pool, (tx) => payloads.put(tx, large, { mimeType: 'application/xml', bestandsnaam: 'groot.xml' }));
    const envelope = anEnvelope({ kenmerk: `k-${randomUUID()}`, berichtsoort: 'postbus', content: payload });
    await withTransaction(db.pool, (tx) =>
      deliveries.insert(tx, [{ kenmerk: envelope.kenmerk, recipientId: 'postbus-a', recipientCount: 1, envelope, payload, deadline: new Date(Date.now() + 3_600_000) }]),
    );
    worker.kick();
    await stateReaches(envelope.kenmerk, 'postbus-a', 'parked');

    const [fetched] = await service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    const notice = fetched!.berichtInhoud.inhoud.toString('utf8');
    assert.equal(fetched!.berichtInhoud.mimeType, 'application/xml');
    assert.ok(fetched!.berichtInhoud.inhoud.length < 2_000, 'the notice, not the content');
    assert.match(notice, /profile="digikoppeling-gb-1\.0"/);
    assert.match(notice, new RegExp(`<gb:checksum type="SHA256">${payload.sha256}</gb:checksum>`));
    assert.match(notice, new RegExp(`<gb:size>${large.length}</gb:size>`));
    assert.match(notice, new RegExp(`<gb:senderUrl>https://poort\\.example/api/v1/bestanden/${envelope.kenmerk}</gb:senderUrl>`));
    assert.equal(fetched!.inhoud.sha256, createHash('sha256').update(fetched!.berichtInhoud.inhoud).digest('hex'));
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'delivered');
    assert.deepEqual(await statuses(envelope.kenmerk), ['400']);
    const [again] = await service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    assert.ok(again!.berichtInhoud.inhoud.equals(fetched!.berichtInhoud.inhoud), 'the same notice every time');
  });

  it('"new" is per certificate: a second call returns nothing new, another certificate of the same OIN gets it all', async () => {
    const belanghebbende = { nummer: `B${randomBytes(4).toString('hex')}`, type: 'Fi' };
    const first = await park({ identiteitBelanghebbende: belanghebbende });
    const second = await park({ identiteitBelanghebbende: belanghebbende });
    const filter = { belanghebbende, nieuw: true };
    const a1 = certificate(OIN_A);
    assert.deepEqual(kenmerken(await service.fetch(a1, filter, 'xmlenc')), [first.envelope.kenmerk, second.envelope.kenmerk]);
    assert.deepEqual(await service.fetch(a1, filter, 'xmlenc'), []);
    const third = await park({ identiteitBelanghebbende: belanghebbende });
    assert.deepEqual(kenmerken(await service.fetch(a1, filter, 'xmlenc')), [third.envelope.kenmerk]);

    const a2 = certificate(OIN_A);
    assert.deepEqual(kenmerken(await service.fetch(a2, filter, 'xmlenc')), [first, second, third].map((each) => each.envelope.kenmerk));
    assert.deepEqual(kenmerken(await service.fetch(a1, { belanghebbende, nieuw: false }, 'xmlenc')), [first, second, third].map((each) => each.envelope.kenmerk), 'not new: everything');
  });

  it('a list is not a fetch: the new list shows what is not fetched, and listing it changes nothing', async () => {
    const berichtsoortFilter = { berichtsoort: 'postbus' };
    const { envelope } = await park({ identiteitBelanghebbende: { nummer: 'LIJST-1', type: 'Fi' } });
    const a = certificate(OIN_A);
    const listed = await service.list(a, { ...berichtsoortFilter, nieuw: true });
    assert.ok(kenmerken(listed).includes(envelope.kenmerk));
    assert.ok(kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: true })).includes(envelope.kenmerk), 'still new after listing');
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'parked');
    await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: true }, 'xmlenc');
    assert.ok(!kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: true })).includes(envelope.kenmerk));
    assert.ok(kenmerken(await service.list(a, { ...berichtsoortFilter, nieuw: false })).includes(envelope.kenmerk));
  });

  it('each OIN sees its own mailbox only: another OIN\'s kenmerk is unknown, its lists are empty', async () => {
    const { envelope } = await park();
    const other = certificate(OIN_OTHER);
    await assert.rejects(service.fetch(other, { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc'), (error: unknown) => error instanceof Refusal && error.kind === 'not-found' && error.code === 'OPS100');
    await assert.rejects(service.fetch(other, { kenmerk: envelope.kenmerk, nieuw: true }, 'xmlenc'), (error: unknown) => error instanceof Refusal && error.kind === 'not-found');
    assert.deepEqual(await service.list(other, { nieuw: false }), []);
    assert.deepEqual(await service.fetch(other, { nieuw: true }, 'xmlenc'), []);
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
    await Promise.all([service.fetch(certificate(OIN_A), filter, 'xmlenc'), service.fetch(certificate(OIN_B), filter, 'xmlenc'), service.fetch(certificate(OIN_A), filter, 'xmlenc')]);
    for (const { envelope } of parkedMessages) assert.deepEqual(await statuses(envelope.kenmerk), ['400'], envelope.kenmerk);
  });
});

describe('a parked message that is not fetched within its window', () => {
  it('ends as undeliverable: final 420/AFS600 "niet opgehaald", retour afzender, gone from the mailbox; the other recipient still fetches', async () => {
    const { envelope } = await park();
    await setDeadline(envelope.kenmerk, 'postbus-a', new Date(Date.now() - 1_000));
    // Past its window it is no longer offered, even before the sweeper has ended it.
    await assert.rejects(service.list(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }), (error: unknown) => error instanceof Refusal && error.kind === 'not-found');
    await sweeper.endUnfetched();

    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'expired');
    const [final, ...others] = await statusEvents(envelope.kenmerk);
    assert.equal(others.length, 0);
    assert.equal(final!.statuscode, '420');
    assert.equal(final!.final, true);
    assert.equal(final!.statusFoutcode?.foutcode, 'AFS600');
    assert.match(final!.statusFoutcode!.foutbeschrijving, /^niet opgehaald door postbus-a binnen het afleveringsvenster \(tot .+\); retour afzender$/);
    const returned = await returnedToSender(envelope.kenmerk);
    assert.deepEqual(returned.map((event) => [event.recipientId, event.reden.foutcode]), [['postbus-a', 'AFS600']]);
    assert.equal(await inMailbox(envelope.kenmerk, 'postbus-a'), false, 'removed from the mailbox');
    await assert.rejects(service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }, 'jwe'), (error: unknown) => error instanceof Refusal && error.kind === 'not-found');

    const [forB] = await service.fetch(certificate(OIN_B), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    assert.equal(forB!.entry.recipientId, 'postbus-b');
    assert.equal(await state(envelope.kenmerk, 'postbus-b'), 'delivered');
    assert.deepEqual(await statuses(envelope.kenmerk), ['420'], 'no 400: one recipient never had it');
    await sweeper.endUnfetched();
    assert.equal((await returnedToSender(envelope.kenmerk)).length, 1, 'ended once');
  });

  it('several sweepers at once (replicas) end it once', async () => {
    const parkedMessages = await Promise.all(Array.from({ length: 4 }, () => park()));
    for (const { envelope } of parkedMessages) await setDeadline(envelope.kenmerk, 'postbus-a', new Date(Date.now() - 1_000));
    const other = new MailboxSweeper(logger, { retentionMs: 90 * DAY_MS }, unitOfWork, deliveries, mailboxes, catalog);
    await Promise.all([sweeper.endUnfetched(), other.endUnfetched(), sweeper.endUnfetched()]);
    for (const { envelope } of parkedMessages) {
      assert.deepEqual(await statuses(envelope.kenmerk), ['420'], envelope.kenmerk);
      assert.equal((await returnedToSender(envelope.kenmerk)).length, 1, envelope.kenmerk);
      assert.equal(await state(envelope.kenmerk, 'postbus-b'), 'parked', 'the other recipient\'s window is its own');
    }
  });

  it('a fetch that waits for the lock while the window ends, and the sweeper behind it: exactly one outcome (expired, nothing answered)', async () => {
    const { envelope } = await park({}, ['kluis']);
    const deadline = new Date(Date.now() + 1_500);
    await setDeadline(envelope.kenmerk, 'kluis', deadline);
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM deliveries WHERE kenmerk = $1 FOR UPDATE', [envelope.kenmerk]);
      const before = await waitingForLocks();
      // The fetch sees the message (its window is open) and waits for the message's lock.
      const fetching = service.fetch(certificate(OIN_KLUIS), { kenmerk: envelope.kenmerk, nieuw: false }, 'jwe');
      await waitFor('the fetch waits for the lock', async () => ((await waitingForLocks()) > before ? true : undefined), 10_000, 10);
      await waitFor('the window ends', async () => (Date.now() > deadline.getTime() + 50 ? true : undefined), 10_000, 20);
      // The sweeper sees it overdue and waits behind the fetch.
      const sweeping = sweeper.endUnfetched();
      await waitFor('the sweeper waits for the lock', async () => ((await waitingForLocks()) > before + 1 ? true : undefined), 10_000, 10);
      await holder.query('COMMIT');
      const [answered] = await Promise.all([fetching, sweeping]);
      assert.deepEqual(answered, [], 'the fetch answers nothing: its window ended while it waited');
    } finally {
      holder.release();
    }
    assert.equal(await state(envelope.kenmerk, 'kluis'), 'expired');
    assert.deepEqual(await statuses(envelope.kenmerk), ['420']);
    assert.equal((await returnedToSender(envelope.kenmerk)).length, 1);
    const { rows } = await db.pool.query('SELECT 1 FROM mailbox_fetches WHERE kenmerk = $1', [envelope.kenmerk]);
    assert.equal(rows.length, 0, 'no fetch recorded');
  });

  it('a fetch that comes first delivers, and the sweeper then finds nothing to end', async () => {
    const { envelope } = await park({}, ['kluis']);
    await setDeadline(envelope.kenmerk, 'kluis', new Date(Date.now() + 60_000));
    const [fetched] = await service.fetch(certificate(OIN_KLUIS), { kenmerk: envelope.kenmerk, nieuw: false }, 'jwe');
    assert.ok(fetched);
    await setDeadline(envelope.kenmerk, 'kluis', new Date(Date.now() - 1_000));
    await sweeper.endUnfetched();
    assert.equal(await state(envelope.kenmerk, 'kluis'), 'delivered');
    assert.deepEqual(await statuses(envelope.kenmerk), ['400']);
    assert.equal((await returnedToSender(envelope.kenmerk)).length, 0);
  });

  it('a fetched message leaves its mailbox, with its fetch records, once its retention after delivery has passed', async () => {
    const { envelope } = await park({ identiteitBelanghebbende: { nummer: 'RETENTIE-1', type: 'Fi' } });
    const a = certificate(OIN_A);
    await service.fetch(a, { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    await sweeper.removeRetained();
    assert.equal(await inMailbox(envelope.kenmerk, 'postbus-a'), true, 'within its retention');
    await db.pool.query("UPDATE deliveries SET updated_at = now() - interval '91 days' WHERE kenmerk = $1 AND recipient_id = 'postbus-a'", [envelope.kenmerk]);
    await db.pool.query("UPDATE mailbox SET parked_at = now() - interval '91 days' WHERE kenmerk = $1", [envelope.kenmerk]);
    await sweeper.removeRetained();
    assert.equal(await inMailbox(envelope.kenmerk, 'postbus-a'), false);
    assert.equal(await inMailbox(envelope.kenmerk, 'postbus-b'), true, 'postbus-b has not fetched it: it stays');
    const { rows } = await db.pool.query("SELECT 1 FROM mailbox_fetches WHERE kenmerk = $1 AND recipient_id = 'postbus-a'", [envelope.kenmerk]);
    assert.equal(rows.length, 0);
    assert.deepEqual(await service.fetch(a, { belanghebbende: { nummer: 'RETENTIE-1' }, nieuw: false }, 'xmlenc'), []);
    assert.equal(await state(envelope.kenmerk, 'postbus-a'), 'delivered', 'its delivery stays as it was');
  });
});

describe('a pull recipient that wants encryption', () => {
  const keyFile = () => pki.clients['recipient-a'].key;

  it('over WUS gets berichtInhoud and each bijlage as XML Encryption for its certificate', async () => {
    const { envelope, content, attachment } = await park({}, ['kluis']);
    const [fetched] = await service.fetch(certificate(OIN_KLUIS), { kenmerk: envelope.kenmerk, nieuw: false }, 'xmlenc');
    const { berichtInhoud, berichtBijlagen } = fetched!;
    assert.deepEqual([berichtInhoud.mimeType, berichtInhoud.plainMimeType, berichtInhoud.bestandsnaam], ['application/xenc+xml', 'application/xml', 'factuur.xml']);
    assert.ok(!berichtInhoud.inhoud.includes(content), 'not in the clear');
    assert.ok(decryptWithPyca(berichtInhoud.inhoud, keyFile()).equals(content), 'pyca decrypts the content to its bytes');
    assert.deepEqual(berichtBijlagen.map((bijlage) => [bijlage.mimeType, bijlage.plainMimeType, bijlage.bestandsnaam]), [['application/xenc+xml', 'application/pdf', 'bijlage.pdf']]);
    assert.ok(decryptWithPyca(berichtBijlagen[0]!.inhoud, keyFile()).equals(attachment), 'and the attachment');
    assert.equal(await state(envelope.kenmerk, 'kluis'), 'delivered');
  });

  it('over REST gets each file as a JWE (application/jose, its own type in cty)', async () => {
    const { envelope, content, attachment } = await park({}, ['kluis']);
    const [fetched] = await service.fetch(certificate(OIN_KLUIS), { kenmerk: envelope.kenmerk, nieuw: false }, 'jwe');
    const { berichtInhoud, berichtBijlagen } = fetched!;
    assert.deepEqual([berichtInhoud.mimeType, berichtInhoud.plainMimeType], ['application/jose', 'application/xml']);
    const key = readFileSync(keyFile());
    const decrypted = await decryptWithNodeJose(berichtInhoud.inhoud, key);
    assert.ok(decrypted.plaintext.equals(content));
    assert.equal(decrypted.header['cty'], 'application/xml');
    assert.ok((await decryptWithNodeJose(berichtBijlagen[0]!.inhoud, key)).plaintext.equals(attachment));
  });

  it('another recipient\'s fetch is not encrypted', async () => {
    const { envelope, content } = await park();
    const [fetched] = await service.fetch(certificate(OIN_A), { kenmerk: envelope.kenmerk, nieuw: false }, 'jwe');
    assert.equal(fetched!.berichtInhoud.plainMimeType, undefined);
    assert.ok(fetched!.berichtInhoud.inhoud.equals(content));
  });
});
