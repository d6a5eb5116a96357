import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Refusal, type StatusChanged } from '@poort/contracts';
import { Operators } from '@poort/nest-edge';
import { parseOin, type ClientIdentity } from '@poort/pki';
import { anEnvelope } from '@poort/testing';

import type { ArchiveRepository, ArchivedEnvelope } from '../src/archive/archive.repository.js';
import { ArchiveQueries } from '../src/archive/archive.service.js';

const SENDER = parseOin('00000099000000000001');
const OTHER = parseOin('00000099000000000002');
const OPERATOR = parseOin('00000099000000000900');

const caller = (oin: typeof SENDER): ClientIdentity => ({
  oin,
  subject: `serialNumber=${oin}`,
  fingerprintSha256: '0'.repeat(64),
  notBefore: new Date(0),
  notAfter: new Date(8.64e15),
  issuer: 'CN=test',
});

/** The repository's reads, over one archived message; counts how often the history is read. */
function archiveOf(message: ArchivedEnvelope) {
  const reads = { statuses: 0 };
  const repository = {
    envelopeOf: (kenmerk: string) => Promise.resolve(kenmerk === message.envelope.kenmerk ? message : undefined),
    statusesOf: () => {
      reads.statuses += 1;
      return Promise.resolve([] as StatusChanged[]);
    },
  } as unknown as ArchiveRepository;
  return { repository, reads };
}

const envelope = anEnvelope({ kenmerk: 'k-1', sender: { oin: SENDER, certificateFingerprint: 'a'.repeat(64) } });
const message: ArchivedEnvelope = { envelope, receivedAt: envelope.tijdstempelAangeleverd, archivedAt: envelope.tijdstempelAangeleverd };

const refusal = async (promise: Promise<unknown>): Promise<Refusal> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  assert.fail('expected a refusal');
};

describe('ArchiveQueries: who may read which archived message', () => {
  test('the sender reads its own message and content; an operator every message', async () => {
    const { repository } = archiveOf(message);
    const queries = new ArchiveQueries(repository, new Operators([OPERATOR]));
    assert.equal((await queries.message(caller(SENDER), 'k-1')).envelope.kenmerk, 'k-1');
    assert.deepEqual(await queries.content(caller(SENDER), 'k-1'), envelope.content);
    assert.equal((await queries.message(caller(OPERATOR), 'k-1')).envelope.kenmerk, 'k-1');
    assert.deepEqual(await queries.content(caller(OPERATOR), 'k-1'), envelope.content);
  });

  test("someone else's message is refused exactly as one that does not exist, and its history is not read", async () => {
    const { repository, reads } = archiveOf(message);
    const queries = new ArchiveQueries(repository, new Operators([OPERATOR]));
    const theirs = await refusal(queries.message(caller(OTHER), 'k-1'));
    const none = await refusal(queries.message(caller(OTHER), 'k-2'));
    assert.deepEqual([theirs.code, theirs.kind], ['ARCHIVE_NOT_FOUND', 'not-found']);
    assert.deepEqual([none.code, none.kind], [theirs.code, theirs.kind]);
    assert.equal(theirs.message.replace('k-1', '<k>'), none.message.replace('k-2', '<k>'));
    assert.equal((await refusal(queries.content(caller(OTHER), 'k-1'))).code, 'ARCHIVE_NOT_FOUND');
    assert.equal(reads.statuses, 0);
  });

  test('without operators configured, nobody reads what others sent', async () => {
    const { repository } = archiveOf(message);
    const queries = new ArchiveQueries(repository, new Operators([]));
    assert.equal((await refusal(queries.message(caller(OPERATOR), 'k-1'))).code, 'ARCHIVE_NOT_FOUND');
  });

  test('a kenmerk that is not plain text or too long is refused before anything is read', async () => {
    const { repository } = archiveOf(message);
    const queries = new ArchiveQueries(repository, new Operators([OPERATOR]));
    assert.equal((await refusal(queries.message(caller(OPERATOR), 'k\u0000'))).code, 'ARCHIVE_KENMERK_INVALID');
    assert.equal((await refusal(queries.content(caller(OPERATOR), 'k'.repeat(41)))).code, 'ARCHIVE_KENMERK_INVALID');
  });

  test('Operators refuses a value that is not an OIN', () => {
    assert.throws(() => new Operators(['123']), /OIN/);
  });
});
