import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { OutboxRelay, type OutboxPublisher } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork, type UnitOfWorkDeps } from '@poort/pipeline';
import { parseOin, type ClientIdentity } from '@poort/pki';
import { ScratchDatabase, requiredEnv } from '@poort/testing';

import { InFlightLimiter } from '../src/submission/in-flight-limiter.js';
import { MessagesRepository } from '../src/submission/messages.repository.js';
import { SubmissionAdmission } from '../src/submission/submission-admission.js';
import { SubmissionKeysRepository } from '../src/submission/submission-keys.repository.js';
import { SubmissionService } from '../src/submission/submission.service.js';

// What the medium tests of aanleveren share: a scratch database with the real migrations, the shipped message
// catalog, and SubmissionService wired as app.module.ts wires it, minus Kafka.

export const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');

export const SENDER: ClientIdentity = {
  oin: parseOin('00000099000000000001'),
  subject: 'C=NL, O=Testleverancier, serialNumber=00000099000000000001, CN=aanlever.test',
  fingerprintSha256: 'c3'.repeat(32),
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2030-01-01T00:00:00Z'),
  issuer: 'C=NL, O=Poort test CA, CN=Poort test CA',
};

export const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml'));
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The production default of INGRESS_IDEMPOTENCY_WINDOW_MS. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The rows a submission writes, per table. */
export interface Stored {
  messages: number;
  payloads: number;
  payload_chunks: number;
  outbox: number;
}

/** The relay is real and never started: the events stay in the outbox table, where the test reads them. */
const unstartedPublisher: OutboxPublisher = {
  publish: () => Promise.reject(new Error('the outbox relay is not started in this test')),
};
// The relay never logs (it never runs) and the status counter is not what these tests are about.
const silentLogger = {} as ConstructorParameters<typeof OutboxRelay>[3];
const uncountedMetrics = { statusesEmitted: { inc: () => undefined } } as unknown as UnitOfWorkDeps['metrics'];

export class SubmissionFixture {
  private constructor(
    readonly db: ScratchDatabase,
    readonly catalog: MessageCatalog,
    readonly unitOfWork: UnitOfWork,
    readonly payloads: PayloadStore,
    readonly messages: MessagesRepository,
  ) {}

  static async create(label: string): Promise<SubmissionFixture> {
    const db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), label);
    const relay = new OutboxRelay(db.pool, unstartedPublisher, 'ingress', silentLogger);
    return new SubmissionFixture(
      db,
      MessageCatalog.load(join(ROOT, 'config')),
      new UnitOfWork({ pool: db.pool, relay, source: 'ingress', metrics: uncountedMetrics }),
      new PayloadStore(db.pool),
      new MessagesRepository(db.pool),
    );
  }

  service({ windowMs = DAY_MS, limiter = new InFlightLimiter(16) }: { windowMs?: number; limiter?: InFlightLimiter } = {}): SubmissionService {
    return new SubmissionService(this.unitOfWork, this.catalog, this.payloads, this.messages, new SubmissionKeysRepository(windowMs), new SubmissionAdmission(limiter));
  }

  async stored(): Promise<Stored> {
    return {
      messages: await this.db.count('messages'),
      payloads: await this.db.count('payloads'),
      payload_chunks: await this.db.count('payload_chunks'),
      outbox: await this.db.count('outbox'),
    };
  }

  drop(): Promise<void> {
    return this.db.drop();
  }
}
