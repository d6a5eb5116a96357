import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Refusal, STATUS, statusRecord, type Envelope, type MessageReturned, type StatusCode, type StatusResultaat } from '@poort/contracts';
import { createPool, type Pool } from '@poort/message-state';
import { parseOin } from '@poort/pki';
import { ScratchDatabase, anEnvelope, requiredEnv } from '@poort/testing';

import { ReturnedMessagesRepository } from '../src/returned/returned-messages.repository.js';
import { StatusHistoryRepository } from '../src/status/status-history.repository.js';
import { StatusInformationService, type StatusCaller } from '../src/status/status-information.service.js';

/**
 * The statusinformatieservice on a real Postgres: statuses go in as the notification consumer records them
 * (StatusHistoryRepository.append) and come out as a sender asks for them, through the one use case behind REST and WUS.
 */

const SENDER_A = parseOin('00000099000000000001');
const SENDER_B = parseOin('00000099000000000002');
/** Two certificates of sender A (a key rollover, or two systems of one organisation), and one of sender B. */
const CERT_A1: StatusCaller = { oin: SENDER_A, fingerprintSha256: 'a1'.repeat(32) };
const CERT_A2: StatusCaller = { oin: SENDER_A, fingerprintSha256: 'a2'.repeat(32) };
const CERT_B: StatusCaller = { oin: SENDER_B, fingerprintSha256: 'b0'.repeat(32) };

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
/** A point in time `seconds` after T0: tests choose every tijdstempelStatus themselves. */
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

let db: ScratchDatabase;
let pool: Pool;
let history: StatusHistoryRepository;
let returned: ReturnedMessagesRepository;
let statuses: StatusInformationService;

before(async () => {
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'notification_status');
  // A pool of its own, larger than the scratch pool, so concurrent fetches really run side by side.
  pool = createPool(db.url, 12);
  history = new StatusHistoryRepository(pool);
  returned = new ReturnedMessagesRepository(pool);
  statuses = new StatusInformationService(pool, history, returned);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

interface ProcessSpec {
  readonly sender?: string;
  readonly berichtsoort?: string;
  readonly belanghebbende?: { nummer: string; type: string };
}

/** A submitted message as the status history knows it: a fresh kenmerk, and who sent it about whom. */
function aProcess(spec: ProcessSpec = {}): Envelope {
  return anEnvelope({
    kenmerk: randomUUID(),
    berichtsoort: spec.berichtsoort ?? 'e-factuur',
    aanleverkenmerk: 'eigen-referentie',
    sender: { oin: spec.sender ?? SENDER_A, certificateFingerprint: CERT_A1.fingerprintSha256 },
    identiteitBelanghebbende: spec.belanghebbende ?? freshBelanghebbende(),
    tijdstempelAangeleverd: new Date(T0).toISOString(),
  });
}

const freshBelanghebbende = (): { nummer: string; type: string } => ({ nummer: randomBytes(5).toString('hex'), type: 'Fi' });

/** Records a status as the notification consumer does; `scope` tells repeated steps of one code apart. */
async function record(envelope: Envelope, code: StatusCode, seconds: number, scope?: string): Promise<void> {
  const status = statusRecord(envelope, { code, at: at(seconds), ...(scope ? { scope, details: scope } : {}) });
  await history.append(pool, [{ eventId: randomUUID(), occurredAt: status.tijdstempelStatus, ...status }]);
}

const codes = (list: readonly StatusResultaat[]): string[] => list.map((status) => status.statuscode);
const kenmerken = (list: readonly StatusResultaat[]): string[] => list.map((status) => status.kenmerk);

/** The refusal a sender gets for a process it may not see: STS100, not-found, the same for every reason. */
async function refusedAsNotFound(call: Promise<unknown>): Promise<Refusal> {
  let refusal: Refusal | undefined;
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof Refusal, `expected a Refusal, got ${String(error)}`);
    assert.equal(error.code, 'STS100');
    assert.equal(error.kind, 'not-found');
    refusal = error;
    return true;
  });
  return refusal!;
}

describe('getStatussenProces', () => {
  test('returns every status of the process in time order, whatever order they were recorded in', async () => {
    const envelope = aProcess();
    await record(envelope, STATUS.aangebodenVoorVerwerking, 1);
    await record(envelope, STATUS.geautoriseerd, 2);
    await record(envelope, STATUS.ontvangen, 0);

    const list = await statuses.statussenProces(CERT_A1, envelope.kenmerk);

    assert.deepEqual(codes(list), ['100', '110', '200']);
    assert.deepEqual(list[0], {
      kenmerk: envelope.kenmerk,
      identiteitBelanghebbende: envelope.identiteitBelanghebbende,
      statuscode: '100',
      tijdstempelStatus: at(0).toISOString(),
      statusomschrijving: 'Aanleveren gelukt',
    });
  });

  test('a time window returns only the statuses from tijdstempelVanaf (inclusive) to tijdstempelTot (exclusive)', async () => {
    const envelope = aProcess();
    for (const [seconds, code] of [[0, STATUS.ontvangen], [1, STATUS.aangebodenVoorVerwerking], [2, STATUS.geautoriseerd], [3, STATUS.gevalideerd]] as const) {
      await record(envelope, code, seconds);
    }

    assert.deepEqual(codes(await statuses.statussenProces(CERT_A1, envelope.kenmerk, { vanaf: at(1), tot: at(3) })), ['110', '200']);
    assert.deepEqual(codes(await statuses.statussenProces(CERT_A1, envelope.kenmerk, { vanaf: at(2) })), ['200', '301']);
    assert.deepEqual(codes(await statuses.statussenProces(CERT_A1, envelope.kenmerk, { tot: at(1) })), ['100']);
    // The sender's own process with nothing in the window is an empty answer, not a refusal.
    assert.deepEqual(await statuses.statussenProces(CERT_A1, envelope.kenmerk, { vanaf: at(60) }), []);
  });

  test('another sender\'s process and one that does not exist give the same refusal, STS100 not-found: nothing leaks', async () => {
    const someoneElses = aProcess({ sender: SENDER_B });
    await record(someoneElses, STATUS.ontvangen, 0);
    const unknown = randomUUID();

    const forOther = await refusedAsNotFound(statuses.statussenProces(CERT_A1, someoneElses.kenmerk));
    const forUnknown = await refusedAsNotFound(statuses.statussenProces(CERT_A1, unknown));
    assert.equal(forOther.message.replace(someoneElses.kenmerk, '<kenmerk>'), forUnknown.message.replace(unknown, '<kenmerk>'));
    assert.equal(forOther.details, undefined);
    // The owner still sees it.
    assert.deepEqual(codes(await statuses.statussenProces(CERT_B, someoneElses.kenmerk)), ['100']);
  });
});

describe('getNieuweStatussenProces', () => {
  test('returns each status to a certificate exactly once: all at first, none on the next call, then only what was recorded since', async () => {
    const envelope = aProcess();
    await record(envelope, STATUS.ontvangen, 0);
    await record(envelope, STATUS.aangebodenVoorVerwerking, 1);

    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['100', '110']);
    assert.deepEqual(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk), []);

    await record(envelope, STATUS.geautoriseerd, 2);
    await record(envelope, STATUS.gevalideerd, 3);
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['200', '301']);
    assert.deepEqual(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk), []);
    // Fetching "new" statuses takes nothing away from the full history.
    assert.deepEqual(codes(await statuses.statussenProces(CERT_A1, envelope.kenmerk)), ['100', '110', '200', '301']);
  });

  test('each certificate of a sender has its own cursor: what one certificate fetched is still new to the other', async () => {
    const envelope = aProcess();
    await record(envelope, STATUS.ontvangen, 0);
    await record(envelope, STATUS.aangebodenVoorVerwerking, 1);
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['100', '110']);

    await record(envelope, STATUS.geautoriseerd, 2);

    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A2, envelope.kenmerk)), ['100', '110', '200']);
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['200']);
    assert.deepEqual(await statuses.nieuweStatussenProces(CERT_A2, envelope.kenmerk), []);
  });

  test(
    'with a time window only new statuses inside it are returned and the cursor moves to the newest one returned: ' +
      'a new status recorded before it outside the window is no longer new, one recorded after it still is',
    async () => {
      const envelope = aProcess();
      for (const [seconds, code] of [[0, STATUS.ontvangen], [1, STATUS.aangebodenVoorVerwerking], [2, STATUS.geautoriseerd], [3, STATUS.gevalideerd]] as const) {
        await record(envelope, code, seconds);
      }

      assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk, { vanaf: at(1), tot: at(3) })), ['110', '200']);
      // 100 was new and fell before the window: skipped for good. 301 came after the newest returned: still new.
      assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['301']);
      // The cursor belongs to that certificate only.
      assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A2, envelope.kenmerk)), ['100', '110', '200', '301']);
    },
  );

  test('a window with nothing new in it leaves the cursor where it was', async () => {
    const envelope = aProcess();
    await record(envelope, STATUS.ontvangen, 0);
    await record(envelope, STATUS.aangebodenVoorVerwerking, 1);

    assert.deepEqual(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk, { vanaf: at(60) }), []);
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)), ['100', '110']);
  });

  test('another sender\'s process and one that does not exist give STS100 not-found, and start no cursor', async () => {
    const someoneElses = aProcess({ sender: SENDER_B });
    await record(someoneElses, STATUS.ontvangen, 0);
    const cursorsBefore = await db.count('status_cursors');

    await refusedAsNotFound(statuses.nieuweStatussenProces(CERT_A1, someoneElses.kenmerk));
    await refusedAsNotFound(statuses.nieuweStatussenProces(CERT_A1, randomUUID()));

    assert.equal(await db.count('status_cursors'), cursorsBefore);
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_B, someoneElses.kenmerk)), ['100']);
  });

  test('concurrent calls of one certificate never return the same status twice and lose none, while statuses are being recorded', async () => {
    const envelope = aProcess();
    await record(envelope, STATUS.ontvangen, 0);
    const recorded = 60;
    const pollers = 5;
    let recording = true;

    const fetched: StatusResultaat[][] = Array.from({ length: pollers }, () => []);
    const poll = async (index: number): Promise<void> => {
      while (recording) fetched[index]!.push(...(await statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)));
    };
    const recordAll = async (): Promise<void> => {
      try {
        for (let attempt = 1; attempt <= recorded; attempt++) await record(envelope, STATUS.technischeFoutAflevering, attempt, `poging-${attempt}`);
      } finally {
        recording = false;
      }
    };
    await Promise.all([recordAll(), ...fetched.map((_, index) => poll(index))]);
    // Whatever the pollers had not picked up yet when recording stopped.
    const rest = await Promise.all(fetched.map(() => statuses.nieuweStatussenProces(CERT_A1, envelope.kenmerk)));

    const all = [...fetched.flat(), ...rest.flat()].map((status) => status.statusdetails ?? status.statuscode);
    const expected = ['100', ...Array.from({ length: recorded }, (_, index) => `poging-${index + 1}`)];
    const twice = new Set(all.filter((id, index) => all.indexOf(id) !== index));
    assert.equal(twice.size, 0, `returned more than once: ${[...twice].join(', ')}`);
    assert.deepEqual([...all].sort(), [...expected].sort());
  });
});

describe('getNieuweStatussen, getProcessen and getBerichtsoorten', () => {
  test('getNieuweStatussen returns the new statuses of every process of one berichtsoort and belanghebbende of this sender, in time order', async () => {
    const belanghebbende = freshBelanghebbende();
    const first = aProcess({ belanghebbende });
    const second = aProcess({ belanghebbende });
    const otherBelanghebbende = aProcess();
    const otherBerichtsoort = aProcess({ belanghebbende, berichtsoort: 'Omzetbelasting' });
    const otherSender = aProcess({ belanghebbende, sender: SENDER_B });
    await record(first, STATUS.ontvangen, 0);
    await record(second, STATUS.ontvangen, 1);
    await record(first, STATUS.aangebodenVoorVerwerking, 2);
    await record(second, STATUS.aangebodenVoorVerwerking, 3);
    for (const envelope of [otherBelanghebbende, otherBerichtsoort, otherSender]) await record(envelope, STATUS.ontvangen, 0);

    const list = await statuses.nieuweStatussen(CERT_A1, { berichtsoort: 'e-factuur', belanghebbende });

    assert.deepEqual(
      list.map((status) => `${status.kenmerk}/${status.statuscode}`),
      [`${first.kenmerk}/100`, `${second.kenmerk}/100`, `${first.kenmerk}/110`, `${second.kenmerk}/110`],
    );
    assert.deepEqual(await statuses.nieuweStatussen(CERT_A1, { berichtsoort: 'e-factuur', belanghebbende }), []);
  });

  test('getNieuweStatussen shares the per-process cursors with getNieuweStatussenProces, per certificate', async () => {
    const belanghebbende = freshBelanghebbende();
    const filter = { berichtsoort: 'e-factuur', belanghebbende };
    const first = aProcess({ belanghebbende });
    const second = aProcess({ belanghebbende });
    await record(first, STATUS.ontvangen, 0);
    await record(second, STATUS.ontvangen, 1);

    // Fetched per process first: only the other process is still new across the belanghebbende.
    assert.deepEqual(codes(await statuses.nieuweStatussenProces(CERT_A1, first.kenmerk)), ['100']);
    assert.deepEqual(kenmerken(await statuses.nieuweStatussen(CERT_A1, filter)), [second.kenmerk]);

    // Fetched across the belanghebbende: no longer new per process either.
    await record(first, STATUS.aangebodenVoorVerwerking, 2);
    assert.deepEqual(kenmerken(await statuses.nieuweStatussen(CERT_A1, filter)), [first.kenmerk]);
    assert.deepEqual(await statuses.nieuweStatussenProces(CERT_A1, first.kenmerk), []);

    // Another certificate of the same sender has fetched nothing yet.
    assert.deepEqual(kenmerken(await statuses.nieuweStatussen(CERT_A2, filter)), [first.kenmerk, second.kenmerk, first.kenmerk]);
  });

  test('getNieuweStatussen with a time window returns only new statuses inside it, per process moving the cursor to the newest returned', async () => {
    const belanghebbende = freshBelanghebbende();
    const filter = { berichtsoort: 'e-factuur', belanghebbende };
    const first = aProcess({ belanghebbende });
    const second = aProcess({ belanghebbende });
    await record(first, STATUS.ontvangen, 0);
    await record(first, STATUS.aangebodenVoorVerwerking, 2);
    await record(second, STATUS.ontvangen, 1);
    await record(second, STATUS.aangebodenVoorVerwerking, 3);

    const windowed = await statuses.nieuweStatussen(CERT_A1, filter, { vanaf: at(1), tot: at(3) });
    assert.deepEqual(windowed.map((status) => `${status.kenmerk}/${status.statuscode}`), [`${second.kenmerk}/100`, `${first.kenmerk}/110`]);
    // first/100 fell before the window and is passed; second/110 came after the newest returned of its process.
    assert.deepEqual((await statuses.nieuweStatussen(CERT_A1, filter)).map((status) => `${status.kenmerk}/${status.statuscode}`), [`${second.kenmerk}/110`]);
  });

  test('getProcessen lists only this sender\'s processes of the berichtsoort and belanghebbende, oldest first', async () => {
    const belanghebbende = freshBelanghebbende();
    const first = aProcess({ belanghebbende });
    const second = aProcess({ belanghebbende });
    const otherSender = aProcess({ belanghebbende, sender: SENDER_B });
    const otherBerichtsoort = aProcess({ belanghebbende, berichtsoort: 'Omzetbelasting' });
    await record(first, STATUS.ontvangen, 0);
    await record(second, STATUS.ontvangen, 1);
    await record(first, STATUS.aangebodenVoorVerwerking, 2);
    await record(otherSender, STATUS.ontvangen, 0);
    await record(otherBerichtsoort, STATUS.ontvangen, 0);

    assert.deepEqual(await statuses.processen(CERT_A1, { berichtsoort: 'e-factuur', belanghebbende }), [
      { kenmerk: first.kenmerk, berichtsoort: 'e-factuur', identiteitBelanghebbende: belanghebbende },
      { kenmerk: second.kenmerk, berichtsoort: 'e-factuur', identiteitBelanghebbende: belanghebbende },
    ]);
    // Any certificate of the sender sees the same processes; the other sender only its own.
    assert.deepEqual(kenmerkenOf(await statuses.processen(CERT_A2, { berichtsoort: 'e-factuur', belanghebbende })), [first.kenmerk, second.kenmerk]);
    assert.deepEqual(kenmerkenOf(await statuses.processen(CERT_B, { berichtsoort: 'e-factuur', belanghebbende })), [otherSender.kenmerk]);
    assert.deepEqual(await statuses.processen(CERT_A1, { berichtsoort: 'e-factuur', belanghebbende: freshBelanghebbende() }), []);
  });

  test('getBerichtsoorten lists the berichtsoorten this sender submitted for the belanghebbende, never another sender\'s', async () => {
    const belanghebbende = freshBelanghebbende();
    await record(aProcess({ belanghebbende }), STATUS.ontvangen, 0);
    await record(aProcess({ belanghebbende }), STATUS.ontvangen, 1);
    await record(aProcess({ belanghebbende, berichtsoort: 'Omzetbelasting' }), STATUS.ontvangen, 2);
    await record(aProcess({ belanghebbende, sender: SENDER_B, berichtsoort: 'Aangifte_LH' }), STATUS.ontvangen, 3);

    assert.deepEqual((await statuses.berichtsoorten(CERT_A1, belanghebbende)).sort(), ['Omzetbelasting', 'e-factuur']);
    assert.deepEqual(await statuses.berichtsoorten(CERT_B, belanghebbende), ['Aangifte_LH']);
    assert.deepEqual(await statuses.berichtsoorten(CERT_A1, freshBelanghebbende()), []);
  });
});

describe('retourAfzender', () => {
  const returnedMessage = (sender: string, seconds: number, kenmerk = randomUUID()): MessageReturned => ({
    eventId: randomUUID(),
    occurredAt: at(seconds).toISOString(),
    kenmerk,
    berichtsoort: 'e-factuur',
    senderOin: sender,
    aanleverkenmerk: `ref-${seconds}`,
    recipientId: 'belastingdienst',
    reden: { foutcode: 'AFS600', foutbeschrijving: 'het bericht kan niet worden afgeleverd' },
  });

  test('lists this sender\'s returned messages with the reason, oldest first, and never another sender\'s', async () => {
    const later = returnedMessage(SENDER_A, 20);
    const earlier = returnedMessage(SENDER_A, 10);
    const otherSenders = returnedMessage(SENDER_B, 15);
    for (const event of [later, earlier, otherSenders]) await returned.store(pool, event);
    // A redelivered event is stored once.
    await returned.store(pool, later);

    assert.deepEqual(await statuses.retourAfzender(CERT_A1), [
      {
        kenmerk: earlier.kenmerk,
        berichtsoort: 'e-factuur',
        aanleverkenmerk: 'ref-10',
        ontvanger: 'belastingdienst',
        reden: { foutcode: 'AFS600', foutbeschrijving: 'het bericht kan niet worden afgeleverd' },
        tijdstempel: at(10).toISOString(),
      },
      {
        kenmerk: later.kenmerk,
        berichtsoort: 'e-factuur',
        aanleverkenmerk: 'ref-20',
        ontvanger: 'belastingdienst',
        reden: { foutcode: 'AFS600', foutbeschrijving: 'het bericht kan niet worden afgeleverd' },
        tijdstempel: at(20).toISOString(),
      },
    ]);
    assert.deepEqual((await statuses.retourAfzender(CERT_A1, at(15))).map((entry) => entry.kenmerk), [later.kenmerk]);
    assert.deepEqual((await statuses.retourAfzender(CERT_B)).map((entry) => entry.kenmerk), [otherSenders.kenmerk]);
  });
});

function kenmerkenOf(processen: readonly { kenmerk: string }[]): string[] {
  return processen.map((proces) => proces.kenmerk);
}
