import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { TOPICS, decodeEvent, type Envelope, type MessageReturned, type PayloadRef, type StatusChanged } from '@poort/contracts';
import { OutboxRelay, createPool, withTransaction, type OutboxPublisher } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { PoortMetrics, createLogger } from '@poort/observability';
import { generateTestPki } from '@poort/pki';
import { CHUNK_BYTES, PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import type { Registry } from 'prom-client';
import { ScratchDatabase, TEST_SENDER_OIN, TestRecipient, anEnvelope, freePortBlock, requiredEnv, scratchConfig, waitFor } from '@poort/testing';

import { DeliveriesRepository, type DeliveryState } from '../src/delivery/deliveries.repository.js';
import { DeliveryMetrics } from '../src/delivery/delivery.metrics.js';
import { RestPushChannel } from '../src/delivery/channels/rest-push.js';
import type { CircuitPolicy } from '../src/delivery/circuit-breaker.js';
import { DeliveryCredentials, deliveryCredentialSettings } from '../src/delivery/delivery-credentials.js';
import { DeliveryWorker, type DeliveryWorkerSettings } from '../src/delivery/delivery.worker.js';
import { LargeContentNotices } from '../src/files/large-content.js';

/*
 * The delivery worker on a real Postgres (the real migrations), real HTTP recipients and the shipped catalog. What
 * it committed is read from the outbox table: the statuses and events that exist exactly when the effect does.
 * Kafka plays no part; the outbox relay is never started.
 */

/** Shipped recipients (e-factuur goes to both, Omzetbelasting to belastingdienst, 1 min initial back-off). */
const SHIPPED = ['belastingdienst', 'ministerie-bzk'] as const;
/** Scenario types with windows short enough to watch: each routes to the recipient of its own name. */
const SCENARIOS = {
  herstel: { retryWindow: '30s', initialBackoff: '100ms', maxBackoff: '400ms' },
  verdwenen: { retryWindow: '1s', initialBackoff: '200ms', maxBackoff: '400ms' },
  /** Its endpoint takes connections and never answers: every attempt runs into the scenario's 2 s timeout. */
  traag: { retryWindow: '1h', initialBackoff: '100ms', maxBackoff: '400ms' },
} as const;
type RecipientId = (typeof SHIPPED)[number] | keyof typeof SCENARIOS;
const RECIPIENTS: readonly RecipientId[] = [...SHIPPED, ...(Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[])];

/** Contents larger than two chunks are delivered as a Grote Berichten notice (DELIVERY_INLINE_MAX_BYTES). */
const INLINE_MAX_BYTES = 2 * CHUNK_BYTES;
const FILES_BASE_URL = 'https://poort.example:8443';
const notices = new LargeContentNotices({ inlineMaxBytes: INLINE_MAX_BYTES, retentionMs: 7 * 86_400_000, baseUrl: FILES_BASE_URL });

/** Every wait is bounded: a worker that hangs fails the test instead of stalling the run. */
const WAIT_MS = 10_000;

const logger = createLogger('delivery-test', 'silent');
let db: ScratchDatabase;
let configDir: string;
let catalog: MessageCatalog;
let deliveries: DeliveriesRepository;
let payloads: PayloadStore;
let unitOfWork: UnitOfWork;
/** Poort's credentials as the service loads them: the shipped recipients want signed deliveries. */
let credentials: DeliveryCredentials;
const recipients = new Map<RecipientId, TestRecipient>();
/** traag's endpoint: accepts connections, reads what comes and answers nothing. */
let hanging: NetServer;
const hangingSockets = new Set<Socket>();

/** The relay is never started: what the worker committed stays in the outbox table, where the tests read it. */
const publisher: OutboxPublisher = {
  publish: async () => {
    throw new Error('the outbox relay is not started in these tests');
  },
};

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'delivery_worker');
  const base = await freePortBlock(RECIPIENTS.length, 20_000, 30_000);
  for (const [index, id] of RECIPIENTS.entries()) recipients.set(id, await new TestRecipient(base + index).start());
  hanging = createNetServer((socket) => {
    hangingSockets.add(socket);
    socket.on('close', () => hangingSockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const endpoints = new Map(RECIPIENTS.map((id) => [id, recipient(id).url]));
  endpoints.set('traag', `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/inbox`);
  configDir = scratchConfig(requiredEnv('POORT_ROOT'), endpoints, SCENARIOS);
  catalog = MessageCatalog.load(configDir);
  const pki = await generateTestPki(join(requiredEnv('POORT_ROOT'), '.local/test-pki'), { ifMissing: true });
  credentials = DeliveryCredentials.load(deliveryCredentialSettings({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain }), catalog.recipients);
  deliveries = new DeliveriesRepository(db.pool);
  payloads = new PayloadStore(db.pool);
  const metrics = new PoortMetrics('delivery-test');
  unitOfWork = new UnitOfWork({ pool: db.pool, relay: new OutboxRelay(db.pool, publisher, 'delivery', logger), source: 'delivery', metrics });
});

after(async () => {
  await Promise.all([...recipients.values()].map((each) => each.stop()));
  for (const socket of hangingSockets) socket.destroy();
  await new Promise((resolve) => hanging?.close(resolve));
  await db?.drop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const each of recipients.values()) {
    each.behaviour = 'accept';
    each.posts = 0;
    each.deliveries.clear();
  }
});

function recipient(id: RecipientId): TestRecipient {
  const found = recipients.get(id);
  if (!found) throw new Error(`no test recipient ${id}`);
  return found;
}

/** Runs `body` with delivery workers attempting due deliveries; they have stopped (nothing in flight) when it returns. */
/** Circuits that stay closed however often a recipient fails: the retry schedule on its own. */
const NEVER_OPEN: CircuitPolicy = { failureThreshold: 1_000_000, openMs: 1_000, maxOpenMs: 1_000 };

async function withWorkers<T>(
  count: number,
  body: (workers: DeliveryWorker[], registries: Registry[]) => Promise<T>,
  settings: Partial<DeliveryWorkerSettings> = {},
): Promise<T> {
  const registries: Registry[] = [];
  const workers = Array.from({ length: count }, () => {
    // Each worker has its own registry, as each process does.
    const platformMetrics = new PoortMetrics('delivery-test');
    registries.push(platformMetrics.registry);
    const metrics = new DeliveryMetrics(platformMetrics);
    return new DeliveryWorker(
      logger,
      { pollIntervalMs: 100, concurrency: 8, circuit: NEVER_OPEN, ...settings },
      unitOfWork,
      deliveries,
      catalog,
      payloads,
      metrics,
      new Map([['rest', new RestPushChannel(credentials, catalog.recipients)]]),
      notices,
    );
  });
  for (const worker of workers) worker.onApplicationBootstrap();
  try {
    return await body(workers, registries);
  } finally {
    await Promise.all(workers.map((worker) => worker.beforeApplicationShutdown()));
  }
}

interface Submitted {
  readonly envelope: Envelope;
  readonly content: Buffer;
  readonly payload: PayloadRef;
}

/** A message of `berichtsoort` as the chain hands it to delivery: its payload stored, its envelope complete. */
async function storeMessage(berichtsoort: string, content: Buffer = invoice()): Promise<Submitted> {
  const payload = await withTransaction(db.pool, (tx) =>
    payloads.put(tx, content, { mimeType: 'application/xml', bestandsnaam: 'factuur "maart".xml' }),
  );
  const envelope = anEnvelope({
    kenmerk: `k-${randomUUID()}`,
    berichtsoort,
    aanleverkenmerk: `a-${randomBytes(4).toString('hex')}`,
    sender: { oin: TEST_SENDER_OIN, certificateFingerprint: 'c'.repeat(64) },
    content: payload,
  });
  return { envelope, content, payload };
}

/** What the delivery consumer does for a delivery.requested event: a pending row with the type's retry window. */
async function requestDelivery(message: Submitted, recipientId: RecipientId, recipientCount: number): Promise<void> {
  const { retryWindow } = catalog.get(message.envelope.berichtsoort).delivery;
  await withTransaction(db.pool, (tx) =>
    deliveries.insert(tx, [
      {
        kenmerk: message.envelope.kenmerk,
        recipientId,
        recipientCount,
        envelope: message.envelope,
        payload: message.payload,
        deadline: new Date(Date.now() + retryWindow),
      },
    ]),
  );
}

function invoice(extraBytes = 0): Buffer {
  const head = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Invoice><Note>€ ${randomUUID()} – ünïcødé</Note><!--`, 'utf8');
  const tail = Buffer.from('--></Invoice>', 'utf8');
  return Buffer.concat([head, Buffer.from(randomBytes(extraBytes).toString('base64').slice(0, extraBytes)), tail]);
}

interface DeliveryRowSeen {
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date;
  readonly deadline: Date;
}

async function row(kenmerk: string, recipientId: RecipientId): Promise<DeliveryRowSeen> {
  const { rows } = await db.pool.query<{ state: DeliveryState; attempts: number; last_error: string | null; next_attempt_at: Date; deadline: Date }>(
    'SELECT state, attempts, last_error, next_attempt_at, deadline FROM deliveries WHERE kenmerk = $1 AND recipient_id = $2',
    [kenmerk, recipientId],
  );
  const found = rows[0];
  if (!found) throw new Error(`no delivery row for ${kenmerk} → ${recipientId}`);
  return { state: found.state, attempts: found.attempts, lastError: found.last_error, nextAttemptAt: found.next_attempt_at, deadline: found.deadline };
}

function rowReaches(kenmerk: string, recipientId: RecipientId, state: DeliveryState, timeoutMs = WAIT_MS): Promise<DeliveryRowSeen> {
  return waitFor(`${kenmerk} → ${recipientId} to be ${state}`, async () => {
    const seen = await row(kenmerk, recipientId);
    return seen.state === state ? seen : undefined;
  }, timeoutMs, 20);
}

/** The events the worker committed for a message, in commit order, each checked against its contract. */
async function committed(kenmerk: string): Promise<{ statuses: StatusChanged[]; returned: MessageReturned[]; topics: string[] }> {
  const { rows } = await db.pool.query<{ topic: string; value: string }>("SELECT topic, value FROM outbox WHERE source = 'delivery' ORDER BY id");
  const statuses: StatusChanged[] = [];
  const returned: MessageReturned[] = [];
  const topics: string[] = [];
  for (const { topic, value } of rows) {
    const json = JSON.parse(value) as { kenmerk?: string };
    if (json.kenmerk !== kenmerk) continue;
    topics.push(topic);
    if (topic === TOPICS.statusChanged) statuses.push(decodeEvent(TOPICS.statusChanged, json));
    else if (topic === TOPICS.returnedToSender) returned.push(decodeEvent(TOPICS.returnedToSender, json));
  }
  return { statuses, returned, topics };
}

/** A status as the sender sees it. */
const seen = (status: StatusChanged) => ({
  statusId: status.statusId,
  statuscode: status.statuscode,
  final: status.final,
  foutcode: status.statusFoutcode?.foutcode,
});

describe('DeliveryWorker against real recipients', () => {
  it('POSTs an accepted delivery once with the exact stored bytes and a stable message id, then records 400', async () => {
    const message = await storeMessage('Omzetbelasting', invoice(CHUNK_BYTES + 4_321)); // spans two payload chunks
    const { kenmerk } = message.envelope;
    await requestDelivery(message, 'belastingdienst', 1);
    const final = await withWorkers(1, () => rowReaches(kenmerk, 'belastingdienst', 'delivered'));

    const belastingdienst = recipient('belastingdienst');
    assert.equal(belastingdienst.posts, 1);
    const received = belastingdienst.forKenmerk(kenmerk);
    assert.ok(received, 'the recipient holds the message');
    assert.ok(received.body.equals(message.content), `the delivered bytes are the stored bytes (${received.body.length} of ${message.content.length})`);
    assert.equal(received.headers['x-poort-message-id'], `${kenmerk}:belastingdienst`);
    assert.equal(received.headers['idempotency-key'], `${kenmerk}:belastingdienst`);
    assert.equal(received.headers['x-poort-kenmerk'], kenmerk);
    assert.equal(received.headers['x-poort-berichtsoort'], 'Omzetbelasting');
    assert.equal(received.headers['x-poort-afzender-oin'], '00000099000000000001');
    assert.equal(received.headers['x-poort-aanleverkenmerk'], message.envelope.aanleverkenmerk);
    assert.equal(received.headers['content-type'], 'application/xml');
    assert.equal(received.headers['content-length'], String(message.content.length));
    assert.equal(received.headers['content-disposition'], `attachment; filename="factuur _maart_.xml"; filename*=UTF-8''factuur%20%22maart%22.xml`);
    assert.equal(received.headers['x-poort-content-sha256'], createHash('sha256').update(message.content).digest('hex'));

    assert.equal(final.attempts, 1);
    assert.equal(final.lastError, null);
    const { statuses, returned } = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:400`, statuscode: '400', final: false, foutcode: undefined }]);
    assert.equal(statuses[0]!.aanleverkenmerk, message.envelope.aanleverkenmerk);
    assert.deepEqual(returned, []);
  });

  it('a content over DELIVERY_INLINE_MAX_BYTES: the recipient gets the Grote Berichten notice of it instead, and the same 400', async () => {
    const message = await storeMessage('Omzetbelasting', invoice(INLINE_MAX_BYTES + 10_000));
    const { kenmerk } = message.envelope;
    await requestDelivery(message, 'belastingdienst', 1);
    const final = await withWorkers(1, () => rowReaches(kenmerk, 'belastingdienst', 'delivered'));

    const received = recipient('belastingdienst').forKenmerk(kenmerk);
    assert.ok(received, 'the recipient holds the notice');
    assert.equal(received.headers['content-type'], 'application/xml');
    assert.equal(received.headers['content-length'], String(received.body.length));
    assert.equal(received.headers['x-poort-content-sha256'], createHash('sha256').update(received.body).digest('hex'));
    assert.ok(received.body.length < 2_000, `the notice is small (${received.body.length} bytes)`);
    const notice = received.body.toString('utf8');
    assert.match(notice, /<gb:digikoppeling-external-data-references xmlns:gb="http:\/\/www\.logius\.nl\/digikoppeling\/gb\/2010\/10" profile="digikoppeling-gb-1\.0">/);
    assert.match(notice, new RegExp(`<gb:data-reference contextId="${kenmerk}">`));
    assert.match(notice, new RegExp(`<gb:checksum type="SHA256">${message.payload.sha256}</gb:checksum>`));
    assert.match(notice, new RegExp(`<gb:size>${message.content.length}</gb:size>`));
    assert.match(notice, new RegExp(`<gb:senderUrl>${FILES_BASE_URL}/api/v1/bestanden/${kenmerk}</gb:senderUrl>`));

    assert.equal(final.attempts, 1);
    const { statuses, returned } = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:400`, statuscode: '400', final: false, foutcode: undefined }]);
    assert.deepEqual(returned, []);
  });

  it('reports 400 for a message with two recipients only once both have it, and only once', async () => {
    const message = await storeMessage('e-factuur');
    const { kenmerk } = message.envelope;
    await withWorkers(1, async ([worker]) => {
      // The two delivery requests arrive as separate events; the first recipient has the message well before the second.
      await requestDelivery(message, 'belastingdienst', 2);
      worker!.kick();
      await rowReaches(kenmerk, 'belastingdienst', 'delivered');
      await sleep(200);
      assert.deepEqual((await committed(kenmerk)).statuses.map(seen), [], 'no 400 while ministerie-bzk does not have it yet');

      await requestDelivery(message, 'ministerie-bzk', 2);
      worker!.kick();
      await rowReaches(kenmerk, 'ministerie-bzk', 'delivered');
    });
    assert.equal(recipient('belastingdienst').posts, 1);
    assert.equal(recipient('ministerie-bzk').posts, 1);
    assert.deepEqual((await committed(kenmerk)).statuses.map(seen), [{ statusId: `${kenmerk}:400`, statuscode: '400', final: false, foutcode: undefined }]);
  });

  it('two workers delivering both recipients of many messages at once: each recipient gets each message once, each message one 400', async () => {
    const messages = await Promise.all(Array.from({ length: 20 }, () => storeMessage('e-factuur')));
    await withWorkers(2, async (workers) => {
      await Promise.all(messages.flatMap((message) => SHIPPED.map((id) => requestDelivery(message, id, 2))));
      for (const worker of workers) worker.kick();
      for (const message of messages) {
        for (const id of SHIPPED) await rowReaches(message.envelope.kenmerk, id, 'delivered');
      }
    });
    for (const id of SHIPPED) {
      assert.equal(recipient(id).posts, messages.length, `${id}: one POST per message, no delivery leased twice`);
      assert.equal(recipient(id).deliveries.size, messages.length);
    }
    for (const message of messages) {
      const { kenmerk } = message.envelope;
      assert.deepEqual((await committed(kenmerk)).statuses.map((status) => status.statusId), [`${kenmerk}:400`], kenmerk);
    }
  });

  it('a refusing recipient (HTTP 400) ends the delivery: refused, final 410/AFO100, retour afzender, no retry', async () => {
    const belastingdienst = recipient('belastingdienst');
    belastingdienst.behaviour = 'refuse';
    const message = await storeMessage('Omzetbelasting');
    const { kenmerk } = message.envelope;
    const final = await withWorkers(1, async ([worker]) => {
      await requestDelivery(message, 'belastingdienst', 1);
      worker!.kick();
      const refused = await rowReaches(kenmerk, 'belastingdienst', 'refused');
      worker!.kick();
      await sleep(500);
      return refused;
    });
    assert.equal(belastingdienst.posts, 1, 'a refusal is not retried');
    assert.equal(belastingdienst.deliveries.size, 0);
    assert.equal(final.attempts, 1);
    assert.equal(final.lastError, 'HTTP 400: bericht geweigerd: onbekende factuurontvanger');
    assert.deepEqual(await row(kenmerk, 'belastingdienst'), final, 'the row did not change after the refusal');

    const { statuses, returned, topics } = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:410:belastingdienst`, statuscode: '410', final: true, foutcode: 'AFO100' }]);
    assert.equal(statuses[0]!.statusFoutcode!.foutbeschrijving, 'belastingdienst weigert het bericht: HTTP 400: bericht geweigerd: onbekende factuurontvanger');
    assert.deepEqual(topics, [TOPICS.statusChanged, TOPICS.returnedToSender]);
    assert.equal(returned.length, 1);
    const { eventId: _eventId, occurredAt: _occurredAt, ...retour } = returned[0]!;
    assert.deepEqual(
      retour,
      {
        kenmerk,
        berichtsoort: 'Omzetbelasting',
        senderOin: '00000099000000000001',
        aanleverkenmerk: message.envelope.aanleverkenmerk,
        recipientId: 'belastingdienst',
        reden: statuses[0]!.statusFoutcode,
      },
    );
  });

  it('a recipient that is down is retried with back-off under one 420, and once back gets the message exactly once', async () => {
    const herstel = recipient('herstel');
    herstel.behaviour = 'down';
    const message = await storeMessage('herstel');
    const { kenmerk } = message.envelope;
    const final = await withWorkers(1, async ([worker]) => {
      await requestDelivery(message, 'herstel', 1);
      worker!.kick();
      await waitFor('four failed attempts', async () => (herstel.posts >= 4 ? true : undefined), WAIT_MS, 10);
      const pending = await row(kenmerk, 'herstel');
      assert.equal(pending.state, 'pending');
      assert.equal(pending.lastError, 'HTTP 503: service unavailable');
      herstel.behaviour = 'accept';
      return rowReaches(kenmerk, 'herstel', 'delivered');
    });

    assert.ok(herstel.posts > 1);
    assert.equal(herstel.deliveries.size, 1, 'the recipient holds the message once');
    assert.ok(herstel.forKenmerk(kenmerk)!.body.equals(message.content));
    assert.equal(final.attempts, herstel.posts, 'every POST was recorded as one attempt');

    const { statuses, returned } = await committed(kenmerk);
    const failures = statuses.filter((status) => status.statuscode === '420');
    assert.equal(failures.length, herstel.posts - 1, 'one 420 event per failed attempt');
    assert.deepEqual(new Set(failures.map(seen).map((status) => JSON.stringify(status))), new Set([
      JSON.stringify({ statusId: `${kenmerk}:420:herstel`, statuscode: '420', final: false, foutcode: 'AFS400' }),
    ]), 'all with one statusId: the sender sees one 420');
    assert.deepEqual(statuses.slice(failures.length).map(seen), [{ statusId: `${kenmerk}:400`, statuscode: '400', final: false, foutcode: undefined }]);
    assert.deepEqual(returned, []);

    // Back-off: 100 ms doubling up to 400 ms, jittered to [half, full]; each attempt waits at least the lower bound.
    const times = statuses.map((status) => Date.parse(status.tijdstempelStatus));
    for (let failed = 1; failed < times.length; failed++) {
      const lowerBound = Math.min(100 * 2 ** (failed - 1), 400) / 2;
      const waited = times[failed]! - times[failed - 1]!;
      assert.ok(waited >= lowerBound - 15, `attempt ${failed + 1} came ${waited} ms after attempt ${failed}, back-off at least ${lowerBound} ms`);
    }
  });

  it('a recipient down past the retry window: expired, final 420/AFS600, retour afzender, no further attempt', async () => {
    const verdwenen = recipient('verdwenen');
    verdwenen.behaviour = 'down';
    const message = await storeMessage('verdwenen');
    const { kenmerk } = message.envelope;
    const final = await withWorkers(1, async ([worker]) => {
      await requestDelivery(message, 'verdwenen', 1);
      worker!.kick();
      const expired = await rowReaches(kenmerk, 'verdwenen', 'expired', 5_000);
      worker!.kick();
      await sleep(500);
      return expired;
    });
    assert.ok(verdwenen.posts >= 2, `retried within the window before giving up (${verdwenen.posts} POSTs)`);
    assert.equal(final.attempts, verdwenen.posts, 'no attempt after the delivery expired');
    assert.equal(verdwenen.deliveries.size, 0);

    const { statuses, returned } = await committed(kenmerk);
    const last = statuses.at(-1)!;
    assert.deepEqual(seen(last), { statusId: `${kenmerk}:420:verdwenen:final`, statuscode: '420', final: true, foutcode: 'AFS600' });
    // Expired means the next retry (at most 400 ms away) would have fallen after the deadline: not given up early.
    const remaining = final.deadline.getTime() - Date.parse(last.tijdstempelStatus);
    assert.ok(remaining < 400, `gave up ${remaining} ms before the deadline, when no retry fitted any more`);
    assert.match(last.statusFoutcode!.foutbeschrijving, new RegExp(`^niet afgeleverd aan verdwenen na ${verdwenen.posts} pogingen .*Laatste fout: HTTP 503: service unavailable$`));
    assert.deepEqual(
      statuses.slice(0, -1).map(seen),
      Array.from({ length: verdwenen.posts - 1 }, () => ({ statusId: `${kenmerk}:420:verdwenen`, statuscode: '420', final: false, foutcode: 'AFS400' })),
    );
    assert.equal(returned.length, 1);
    assert.equal(returned[0]!.recipientId, 'verdwenen');
    assert.deepEqual(returned[0]!.reden, last.statusFoutcode, 'the message goes back with the reason the sender sees');
  });
});

describe('DeliveryWorker: a delivery no retry can make ends at once', () => {
  it('content missing from the payload store: no POST, expired after one attempt, final 420/AFS600, retour afzender', async () => {
    const message = await storeMessage('Omzetbelasting');
    const { kenmerk } = message.envelope;
    await db.pool.query('DELETE FROM payload_chunks WHERE payload_id = $1', [message.payload.id]);
    await db.pool.query('DELETE FROM payloads WHERE id = $1', [message.payload.id]);
    const postsBefore = recipient('belastingdienst').posts;
    await requestDelivery(message, 'belastingdienst', 1);
    const final = await withWorkers(1, () => rowReaches(kenmerk, 'belastingdienst', 'expired'));
    assert.equal(final.attempts, 1, 'not retried');
    assert.equal(recipient('belastingdienst').posts, postsBefore, 'nothing reached the recipient');
    const { statuses, returned } = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:420:belastingdienst:final`, statuscode: '420', final: true, foutcode: 'AFS600' }]);
    assert.match(statuses[0]!.statusFoutcode!.foutbeschrijving, /^niet afleverbaar aan belastingdienst; retour afzender\. Oorzaak: .*PAYLOAD_NOT_FOUND/);
    assert.equal(returned.length, 1);
  });

  it('a recipient no longer configured: expired after one attempt with a final status, instead of retrying for ever', async () => {
    const message = await storeMessage('Omzetbelasting');
    const { kenmerk } = message.envelope;
    await withTransaction(db.pool, (tx) =>
      deliveries.insert(tx, [{ kenmerk, recipientId: 'opgeheven', recipientCount: 1, envelope: message.envelope, payload: message.payload, deadline: new Date(Date.now() + 60_000) }]),
    );
    const final = await withWorkers(1, () => rowReaches(kenmerk, 'opgeheven' as RecipientId, 'expired'));
    assert.equal(final.attempts, 1);
    const { statuses, returned } = await committed(kenmerk);
    assert.deepEqual(statuses.map(seen), [{ statusId: `${kenmerk}:420:opgeheven:final`, statuscode: '420', final: true, foutcode: 'AFS600' }]);
    assert.match(statuses[0]!.statusFoutcode!.foutbeschrijving, /ontvanger opgeheven is niet meer geconfigureerd/);
    assert.equal(returned[0]?.recipientId, 'opgeheven');
  });
});

describe('DeliveriesRepository leases', () => {
  it('never hands one due delivery to two concurrent workers, and leases every due one', async () => {
    // A second worker process: its own pool, its own connections.
    const otherPool = createPool(db.url, 4);
    const other = new DeliveriesRepository(otherPool);
    const kenmerken = new Set<string>();
    try {
      for (let round = 0; round < 5; round++) {
        const messages = await Promise.all(Array.from({ length: 12 }, () => storeMessage('Omzetbelasting')));
        for (const message of messages) {
          kenmerken.add(message.envelope.kenmerk);
          await requestDelivery(message, 'belastingdienst', 1);
        }
        const leases = await Promise.all([deliveries, other, deliveries, other].map((repository) => repository.leaseDue(5, 60_000)));
        const leased = leases.flat().map((delivery) => delivery.kenmerk);
        const ours = new Set(messages.map((message) => message.envelope.kenmerk));
        assert.equal(new Set(leased).size, leased.length, `round ${round}: no delivery leased twice (${leases.map((lease) => lease.length).join('+')})`);
        const leasedOurs = leased.filter((kenmerk) => ours.has(kenmerk));
        const rest = await deliveries.leaseDue(100, 60_000);
        const all = [...leasedOurs, ...rest.map((delivery) => delivery.kenmerk).filter((kenmerk) => ours.has(kenmerk))];
        assert.deepEqual(new Set(all), ours, `round ${round}: together the leases hold every due delivery`);
        assert.equal(all.length, ours.size);
      }
    } finally {
      await otherPool.end();
      await db.pool.query('DELETE FROM deliveries WHERE kenmerk = ANY($1)', [[...kenmerken]]);
    }
  });

  it('leases at most perRecipient deliveries of one recipient in a round, and fills the round with the others', async () => {
    const messages = await Promise.all(Array.from({ length: 6 }, () => storeMessage('Omzetbelasting')));
    const kenmerken = messages.map((message) => message.envelope.kenmerk);
    try {
      for (const message of messages) await requestDelivery(message, 'belastingdienst', 1);
      for (const message of messages.slice(0, 2)) await requestDelivery(message, 'ministerie-bzk', 2);
      const ours = (due: readonly { kenmerk: string; recipientId: string }[]) => due.filter((delivery) => kenmerken.includes(delivery.kenmerk));
      const round = ours(await deliveries.leaseDue(5, 60_000, 3));
      const perRecipient = (recipientId: string) => round.filter((delivery) => delivery.recipientId === recipientId).length;
      assert.deepEqual([perRecipient('belastingdienst'), perRecipient('ministerie-bzk')], [3, 2]);
      const next = ours(await deliveries.leaseDue(100, 60_000, 100));
      assert.equal(next.length, 3, 'the rest of belastingdienst\'s stay due for the next round');
    } finally {
      await db.pool.query('DELETE FROM deliveries WHERE kenmerk = ANY($1)', [kenmerken]);
    }
  });

  it('does not hand out a leased delivery again until its lease has ended', async () => {
    const message = await storeMessage('Omzetbelasting');
    const { kenmerk } = message.envelope;
    try {
      await requestDelivery(message, 'belastingdienst', 1);
      const leaseMs = 1_000;
      const first = await deliveries.leaseDue(10, leaseMs);
      const leasedAt = Date.now();
      assert.deepEqual(first.map((delivery) => delivery.kenmerk), [kenmerk]);
      assert.equal(first[0]!.attempts, 0);

      assert.deepEqual(await deliveries.leaseDue(10, leaseMs), [], 'not due while leased');
      const nextDue = await deliveries.nextDueAt();
      assert.ok(nextDue && nextDue.getTime() > leasedAt, 'the next attempt is at the end of the lease');

      await sleep(leaseMs / 4);
      assert.deepEqual(await deliveries.leaseDue(10, leaseMs), [], 'still leased a while later');

      const again = await waitFor('the lease to end', async () => {
        const due = await deliveries.leaseDue(10, 60_000);
        return due.length > 0 ? due : undefined;
      }, 5_000, 25);
      assert.ok(Date.now() - leasedAt >= leaseMs - 50, `due again after ${Date.now() - leasedAt} ms, not before the ${leaseMs} ms lease ended`);
      // The lease counted its attempt: the worker holding it may have sent the message before it went away.
      assert.deepEqual(again.map((delivery) => [delivery.kenmerk, delivery.recipientId, delivery.attempts]), [[kenmerk, 'belastingdienst', 1]]);
      assert.deepEqual(await row(kenmerk, 'belastingdienst').then((seenRow) => seenRow.state), 'pending', 'a lease changes no state');
    } finally {
      await db.pool.query('DELETE FROM deliveries WHERE kenmerk = $1', [kenmerk]);
    }
  });
});

describe('DeliveryWorker: recipients apart', () => {
  /** Delivery requests for `count` new messages to one recipient, in one transaction. */
  async function requestMany(count: number, recipientId: RecipientId): Promise<string[]> {
    const messages = await Promise.all(Array.from({ length: count }, () => storeMessage('Omzetbelasting')));
    const deadline = new Date(Date.now() + 3_600_000);
    await withTransaction(db.pool, (tx) =>
      deliveries.insert(
        tx,
        messages.map((message) => ({ kenmerk: message.envelope.kenmerk, recipientId, recipientCount: 1, envelope: message.envelope, payload: message.payload, deadline })),
      ),
    );
    return messages.map((message) => message.envelope.kenmerk);
  }

  const deliveredOf = async (kenmerken: readonly string[], recipientId: RecipientId): Promise<number> => {
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM deliveries WHERE kenmerk = ANY($1) AND recipient_id = $2 AND state = 'delivered'",
      [kenmerken, recipientId],
    );
    return rows[0]!.n;
  };

  const metricValue = async (registry: Registry, name: string, recipientId: string): Promise<number | undefined> =>
    (await registry.getSingleMetric(name)?.get())?.values.find((value) => value.labels.recipient === recipientId)?.value;

  afterEach(async () => {
    await db.pool.query("DELETE FROM deliveries WHERE recipient_id IN ('traag', 'belastingdienst', 'herstel')");
  });

  it('leases by lane: one recipient\'s backlog does not take another\'s room, and an open lane gives only what is overdue', async () => {
    const backlog = await requestMany(12, 'traag');
    await sleep(5); // the backlog is due first
    const others = await requestMany(3, 'belastingdienst');
    const lanes = [
      { recipientId: 'traag', room: 4, overdueOnly: false },
      { recipientId: 'belastingdienst', room: 4, overdueOnly: false },
    ];
    const leased = await deliveries.leaseLanes(10, 60_000, lanes);
    const of = (recipientId: string) => leased.filter((delivery) => delivery.recipientId === recipientId).map((delivery) => delivery.kenmerk);
    assert.equal(of('traag').length, 4, 'traag gets its room, no more');
    assert.deepEqual(new Set(of('belastingdienst')), new Set(others), 'belastingdienst gets all of its own though traag\'s are older');
    assert.deepEqual(await deliveries.leaseLanes(10, 60_000, [{ recipientId: 'traag', room: 10, overdueOnly: true }]), [], 'nothing of traag is overdue');
    await db.pool.query("UPDATE deliveries SET deadline = now() - interval '1 second' WHERE kenmerk = $1 AND recipient_id = 'traag'", [backlog.at(-1)]);
    const overdue = await deliveries.leaseLanes(10, 60_000, [{ recipientId: 'traag', room: 10, overdueOnly: true }]);
    assert.deepEqual(overdue.map((delivery) => delivery.kenmerk), [backlog.at(-1)]);
  });

  it('a recipient that hangs does not slow the delivery rate to another (both measured)', async (context) => {
    const settings = { concurrency: 64, circuit: { failureThreshold: 5, openMs: 5_000, maxOpenMs: 5_000 } };
    const rate = async (withHangingRecipient: boolean): Promise<number> => {
      // traag's deliveries are due first: the worst case for the others.
      if (withHangingRecipient) await requestMany(200, 'traag');
      const kenmerken = await requestMany(200, 'belastingdienst');
      return withWorkers(
        1,
        async () => {
          const started = performance.now();
          await waitFor('belastingdienst to have all 200', async () => ((await deliveredOf(kenmerken, 'belastingdienst')) === 200 ? true : undefined), 60_000, 20);
          return 200 / ((performance.now() - started) / 1_000);
        },
        settings,
      );
    };
    const alone = await rate(false);
    const beside = await rate(true);
    context.diagnostic(`belastingdienst: ${alone.toFixed(0)} deliveries/s alone, ${beside.toFixed(0)}/s beside a recipient that never answers`);
    // Before lanes a round waited for its slowest attempt: beside traag (2 s timeouts) this was ~16/s, a tenth or less.
    assert.ok(beside >= alone / 2, `beside a hanging recipient ${beside.toFixed(0)}/s, alone ${alone.toFixed(0)}/s`);
  });

  it('opens a failing recipient\'s circuit (nothing sent, visible in metrics), probes after a while and closes when it answers', async () => {
    const herstel = recipient('herstel');
    herstel.behaviour = 'down';
    const messages = await Promise.all(Array.from({ length: 20 }, () => storeMessage('herstel')));
    for (const message of messages) await requestDelivery(message, 'herstel', 1);
    const settings = { concurrency: 8, circuit: { failureThreshold: 3, openMs: 3_000, maxOpenMs: 3_000 } };
    await withWorkers(
      1,
      async (_, [registry]) => {
        await waitFor('the circuit to open', async () => ((await metricValue(registry!, 'poort_delivery_circuit_state', 'herstel')) === 2 ? true : undefined), WAIT_MS, 20);
        // Attempts that went out before it opened come back first.
        await waitFor('no attempt in flight', async () => ((await metricValue(registry!, 'poort_delivery_in_flight', 'herstel')) === 0 ? true : undefined), WAIT_MS, 10);
        const postsWhenOpened = herstel.posts;
        await sleep(800);
        assert.equal(herstel.posts, postsWhenOpened, 'nothing is sent to a recipient whose circuit is open');
        herstel.behaviour = 'accept';
        await waitFor('every message delivered after the probe', async () => {
          const kenmerken = messages.map((message) => message.envelope.kenmerk);
          return (await deliveredOf(kenmerken, 'herstel')) === messages.length ? true : undefined;
        }, WAIT_MS, 20);
        assert.equal(await metricValue(registry!, 'poort_delivery_circuit_state', 'herstel'), 0, 'closed again');
      },
      settings,
    );
  });
});
