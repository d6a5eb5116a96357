import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { Refusal, type RefusalKind } from '@poort/contracts';
import { withTransaction } from '@poort/message-state';
import type { MessageCatalog } from '@poort/message-types';
import { Operators } from '@poort/nest-edge';
import { createLogger } from '@poort/observability';
import { parseOin, type ClientIdentity } from '@poort/pki';
import { ScratchDatabase, infraEnv } from '@poort/testing';

import { SubscriptionDirectory } from '../src/subscriptions/subscription-directory.js';
import { SubscriptionsRepository } from '../src/subscriptions/subscriptions.repository.js';
import { SubscriptionService, etagOf } from '../src/subscriptions/subscriptions.service.js';
import { RECIPIENTS, testCatalog } from './catalog-fixture.js';

const OPERATOR = '00000099000000000900';
const caller = (oin: string): ClientIdentity => ({
  oin: parseOin(oin),
  subject: `serialNumber=${oin}`,
  fingerprintSha256: '0'.repeat(64),
  notBefore: new Date(0),
  notAfter: new Date(8.64e15),
  issuer: 'CN=test',
});
const bzk = caller(RECIPIENTS.bzk);
const archief = caller(RECIPIENTS.archief);
const twee = caller(RECIPIENTS['twee-a']);
const operator = caller(OPERATOR);
const sender = caller('00000099000000000001');

async function refused(attempt: Promise<unknown>, code: string, kind: RefusalKind): Promise<Refusal> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    assert.deepEqual([error.code, error.kind], [code, kind], error.message);
    return error;
  }
  assert.fail(`expected a refusal ${code}`);
}

describe('subscriptions on real Postgres: the self-service, its ownership rules, and what routing reads', () => {
  let db: ScratchDatabase;
  let catalog: MessageCatalog;
  let remove: () => void;
  let repository: SubscriptionsRepository;
  let service: SubscriptionService;

  before(async () => {
    db = await ScratchDatabase.create(infraEnv().databaseUrl, 'subscriptions');
    ({ catalog, remove } = testCatalog());
    repository = new SubscriptionsRepository(db.pool);
    service = new SubscriptionService(repository, catalog, new Operators([OPERATOR]), { maxPerSubscriber: 3 });
  });
  beforeEach(async () => {
    await db.pool.query('DELETE FROM subscriptions');
  });
  after(async () => {
    await db?.drop();
    remove?.();
  });

  describe('a recipient manages its own subscriptions', () => {
    test('create, list, read, replace and delete, each change a new version', async () => {
      const created = await service.create(bzk, { berichtsoort: 'fan-out', identiteitOntvanger: '0001', format: 'transformed' });
      assert.deepEqual(
        { ...created, id: '', createdAt: '', updatedAt: '' },
        { id: '', subscriberOin: RECIPIENTS.bzk, recipientId: 'bzk', berichtsoort: 'fan-out', identiteitOntvanger: '0001', format: 'transformed', version: 1, createdAt: '', updatedAt: '' },
      );
      assert.deepEqual(await service.list(bzk), [created]);
      assert.deepEqual(await service.get(bzk, created.id), created);

      const replaced = await service.replace(bzk, created.id, { berichtsoort: 'plain', identiteitBelanghebbende: '123456789' }, etagOf(created));
      assert.deepEqual([replaced.berichtsoort, replaced.identiteitBelanghebbende, replaced.identiteitOntvanger, replaced.format, replaced.version], ['plain', '123456789', undefined, 'original', 2]);

      await service.delete(bzk, created.id, undefined);
      assert.deepEqual(await service.list(bzk), []);
      await refused(service.get(bzk, created.id), 'SUBSCRIPTION_NOT_FOUND', 'not-found');
    });

    test('a rendition the type offers subscribers can be asked for by name, and is stored as asked', async () => {
      const created = await service.create(bzk, { berichtsoort: 'cii-abonnees', format: 'ubl-invoice-to-cii' });
      assert.equal(created.format, 'ubl-invoice-to-cii');
      assert.equal((await service.get(bzk, created.id)).format, 'ubl-invoice-to-cii');
    });

    test('If-Match: a change to a version the caller did not see is refused, * or none always applies', async () => {
      const created = await service.create(bzk, { berichtsoort: 'plain' });
      const changed = await service.replace(bzk, created.id, { berichtsoort: 'plain', identiteitOntvanger: '0001' }, undefined);
      const stale = await refused(service.replace(bzk, created.id, { berichtsoort: 'fan-out' }, etagOf(created)), 'SUBSCRIPTION_VERSION_MISMATCH', 'precondition-failed');
      assert.deepEqual(stale.details, { etag: etagOf(changed) });
      await refused(service.delete(bzk, created.id, '"not-ours"'), 'SUBSCRIPTION_VERSION_MISMATCH', 'precondition-failed');
      await refused(service.delete(bzk, created.id, etagOf(created)), 'SUBSCRIPTION_VERSION_MISMATCH', 'precondition-failed');
      await service.replace(bzk, created.id, { berichtsoort: 'plain' }, '*');
      await service.delete(bzk, created.id, `W/"${changed.version + 1}"`);
      assert.deepEqual(await service.list(bzk), []);
    });

    test('the same subscription twice is a conflict that names the one there is; another filter is another subscription', async () => {
      const first = await service.create(bzk, { berichtsoort: 'plain', identiteitOntvanger: '0001' });
      const duplicate = await refused(service.create(bzk, { berichtsoort: 'plain', identiteitOntvanger: '0001', format: 'original' }), 'SUBSCRIPTION_DUPLICATE', 'conflict');
      assert.deepEqual(duplicate.details, { id: first.id });
      const second = await service.create(bzk, { berichtsoort: 'plain' });
      await refused(service.replace(bzk, second.id, { berichtsoort: 'plain', identiteitOntvanger: '0001' }, undefined), 'SUBSCRIPTION_DUPLICATE', 'conflict');
    });

    test('a subscriber has at most its limit, even when it asks for more at once', async () => {
      const attempts = await Promise.allSettled(['a', 'b', 'c', 'd', 'e'].map((nummer) => service.create(bzk, { berichtsoort: 'plain', identiteitOntvanger: nummer })));
      assert.equal(attempts.filter((attempt) => attempt.status === 'fulfilled').length, 3);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') assert.equal((attempt.reason as Refusal).code, 'SUBSCRIPTION_LIMIT_REACHED');
      }
      // Another subscriber's count is its own.
      await service.create(twee, { berichtsoort: 'plain', recipient: 'twee-b' });
    });
  });

  describe('what a subscription may say', () => {
    const cases: { what: string; body: unknown; code: string; kind: RefusalKind; as?: ClientIdentity }[] = [
      { what: 'an unknown berichtsoort', body: { berichtsoort: 'bestaat-niet' }, code: 'SUBSCRIPTION_BERICHTSOORT_UNKNOWN', kind: 'unprocessable' },
      { what: 'no berichtsoort', body: {}, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'no body', body: undefined, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'a field Poort does not know', body: { berichtsoort: 'plain', alles: true }, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'a filter that is not a nummer', body: { berichtsoort: 'plain', identiteitOntvanger: 'x'.repeat(36) }, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'a filter with a control character', body: { berichtsoort: 'plain', identiteitBelanghebbende: '12\n34' }, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'an empty filter', body: { berichtsoort: 'plain', identiteitBelanghebbende: '' }, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'a format that does not exist', body: { berichtsoort: 'plain', format: 'pdf' }, code: 'SUBSCRIPTION_INVALID', kind: 'invalid' },
      { what: 'the transformed format of a type without a transformation', body: { berichtsoort: 'plain', format: 'transformed' }, code: 'SUBSCRIPTION_FORMAT_UNAVAILABLE', kind: 'unprocessable' },
      { what: 'a rendition the type does not offer subscribers', body: { berichtsoort: 'renditions', format: 'ubl-invoice-to-cii' }, code: 'SUBSCRIPTION_FORMAT_UNAVAILABLE', kind: 'unprocessable' },
      { what: 'another OIN\'s recipient profile', body: { berichtsoort: 'plain', recipient: 'archief' }, code: 'SUBSCRIPTION_RECIPIENT_UNKNOWN', kind: 'unprocessable' },
      { what: 'a recipient profile that does not exist', body: { berichtsoort: 'plain', recipient: 'niemand' }, code: 'SUBSCRIPTION_RECIPIENT_UNKNOWN', kind: 'unprocessable' },
      { what: 'no profile, from a subscriber with two', body: { berichtsoort: 'plain' }, code: 'SUBSCRIPTION_RECIPIENT_AMBIGUOUS', kind: 'unprocessable', as: twee },
      { what: 'no profile, from an operator', body: { berichtsoort: 'plain' }, code: 'SUBSCRIPTION_RECIPIENT_REQUIRED', kind: 'unprocessable', as: operator },
    ];
    for (const { what, body, code, kind, as } of cases) {
      test(`${what}: ${code}`, async () => {
        await refused(service.create(as ?? bzk, body), code, kind);
        assert.equal(await db.count('subscriptions'), 0);
      });
    }

    test('an id that is not a UUID is refused before a query runs', async () => {
      await refused(service.get(bzk, "1' OR '1'='1"), 'SUBSCRIPTION_ID_INVALID', 'invalid');
    });
  });

  describe('ownership: a recipient sees only its own, an operator everyone\'s, anyone else nothing', () => {
    test('another recipient can neither read, list, change nor delete it: refused as if it did not exist', async () => {
      const ofBzk = await service.create(bzk, { berichtsoort: 'plain' });
      assert.deepEqual(await service.list(archief), []);
      await refused(service.get(archief, ofBzk.id), 'SUBSCRIPTION_NOT_FOUND', 'not-found');
      await refused(service.replace(archief, ofBzk.id, { berichtsoort: 'plain', recipient: 'archief' }, undefined), 'SUBSCRIPTION_NOT_FOUND', 'not-found');
      await refused(service.delete(archief, ofBzk.id, undefined), 'SUBSCRIPTION_NOT_FOUND', 'not-found');
      assert.deepEqual(await service.get(bzk, ofBzk.id), ofBzk);
    });

    test('a caller that is not a configured recipient is refused everything', async () => {
      const ofBzk = await service.create(bzk, { berichtsoort: 'plain' });
      await refused(service.create(sender, { berichtsoort: 'plain' }), 'SUBSCRIPTION_NOT_A_RECIPIENT', 'forbidden');
      await refused(service.list(sender), 'SUBSCRIPTION_NOT_A_RECIPIENT', 'forbidden');
      await refused(service.get(sender, ofBzk.id), 'SUBSCRIPTION_NOT_A_RECIPIENT', 'forbidden');
      await refused(service.delete(sender, ofBzk.id, undefined), 'SUBSCRIPTION_NOT_A_RECIPIENT', 'forbidden');
    });

    test('an operator lists, reads, changes and deletes every subscription, and creates one for a named recipient', async () => {
      const ofBzk = await service.create(bzk, { berichtsoort: 'plain' });
      const forArchief = await service.create(operator, { berichtsoort: 'fan-out', recipient: 'archief' });
      assert.equal(forArchief.subscriberOin, RECIPIENTS.archief);
      assert.deepEqual((await service.list(operator)).map((s) => s.id).sort(), [ofBzk.id, forArchief.id].sort());
      assert.deepEqual(await service.list(archief), [forArchief]);
      assert.deepEqual(await service.get(operator, ofBzk.id), ofBzk);
      // Changed by an operator, it stays the subscriber's.
      const changed = await service.replace(operator, ofBzk.id, { berichtsoort: 'plain', identiteitOntvanger: '0002' }, etagOf(ofBzk));
      assert.deepEqual([changed.recipientId, changed.subscriberOin, changed.identiteitOntvanger], ['bzk', RECIPIENTS.bzk, '0002']);
      await service.delete(operator, ofBzk.id, undefined);
      assert.deepEqual(await service.list(bzk), []);
    });
  });

  describe('what routing reads: current for every run, read again only after a change', () => {
    const logger = createLogger('routing-test', 'silent');
    const rulesIn = async (directory: SubscriptionDirectory, run: object) =>
      withTransaction(db.pool, async (tx) => [...(await directory.forRun(run, tx)).entries()].map(([soort, rules]) => [soort, rules.map((rule) => rule.recipientId)]));

    test('a change applies from the next run; within a run the subscriptions stay as they were', async () => {
      const directory = new SubscriptionDirectory(repository, catalog, logger);
      const run = {};
      assert.deepEqual(await rulesIn(directory, run), []);
      const created = await service.create(bzk, { berichtsoort: 'plain' });
      assert.deepEqual(await rulesIn(directory, run), []);
      assert.deepEqual(await rulesIn(directory, {}), [['plain', ['bzk']]]);
      await service.delete(bzk, created.id, undefined);
      assert.deepEqual(await rulesIn(directory, {}), []);
    });

    test('a subscription whose profile is gone or has another OIN now is left out', async () => {
      await service.create(bzk, { berichtsoort: 'plain' });
      await db.pool.query(
        `INSERT INTO subscriptions (id, subscriber_oin, recipient_id, berichtsoort) VALUES
           ('00000000-0000-4000-8000-000000000001', $1, 'vertrokken', 'plain'),
           ('00000000-0000-4000-8000-000000000002', $1, 'archief', 'plain')`,
        [RECIPIENTS.bzk],
      );
      assert.deepEqual(await rulesIn(new SubscriptionDirectory(repository, catalog, logger), {}), [['plain', ['bzk']]]);
    });

    test('what it costs a message: one one-row read per run while nothing changes (measured)', async (t) => {
      for (let i = 0; i < 50; i += 1) await repository.create(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { subscriberOin: RECIPIENTS.bzk, recipientId: 'bzk', berichtsoort: 'plain', identiteitOntvanger: String(i), format: 'original' }, 1_000);
      const directory = new SubscriptionDirectory(repository, catalog, logger);
      const runs = 500;
      const perRun = async (messagesPerRun: number) => {
        const started = process.hrtime.bigint();
        await withTransaction(db.pool, async (tx) => {
          for (let run = 0; run < runs; run += 1) {
            const context = {};
            for (let message = 0; message < messagesPerRun; message += 1) await directory.forRun(context, tx);
          }
        });
        return Number(process.hrtime.bigint() - started) / 1e6 / (runs * messagesPerRun);
      };
      await perRun(1);
      const single = await perRun(1);
      const batched = await perRun(20);
      const baseline = await withTransaction(db.pool, async (tx) => {
        const started = process.hrtime.bigint();
        for (let run = 0; run < runs; run += 1) await tx.query('SELECT 1');
        return Number(process.hrtime.bigint() - started) / 1e6 / runs;
      });
      t.diagnostic(`per message: ${single.toFixed(3)} ms with a run of 1, ${batched.toFixed(4)} ms with runs of 20 (a SELECT 1 round trip: ${baseline.toFixed(3)} ms)`);
      assert.equal((await rulesIn(directory, {}))[0]?.[1]?.length, 50);
    });
  });
});
