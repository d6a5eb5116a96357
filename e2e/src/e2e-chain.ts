import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pool } from '@poort/message-state';
import { generateTestPki, type TestClientName, type TestPki } from '@poort/pki';
import {
  Chain,
  MtlsClient,
  ScratchDatabase,
  TestRecipient,
  freePortBlock,
  requiredEnv,
  scratchConfig,
  waitFor,
  type RecipientBehaviour,
  type ServiceName,
} from '@poort/testing';

export const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
export const SAMPLES = {
  invoice: readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')),
  invalidInvoice: readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/invalid-invoice.xml')),
  vatInstance: readFileSync(join(ROOT, 'config/schemas/xbrl-instance/samples/valid-instance.xbrl')),
};

export interface StatusResultaat {
  kenmerk: string;
  statuscode: string;
  tijdstempelStatus: string;
  statusomschrijving: string;
  statusFoutcode?: { foutcode: string; foutbeschrijving: string };
  statusdetails?: string;
}

export interface E2eOptions {
  /** Extra recipients (id → initial behaviour), each with a message type of the same name routed only to it. */
  readonly scenarioRecipients?: Readonly<Record<string, { behaviour: RecipientBehaviour; retryWindow: string; started?: boolean }>>;
  /** Only these services (default: all eight). */
  readonly services?: readonly ServiceName[];
  /** Extra environment of every service (operator settings under test). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One end-to-end environment: its own Postgres database and Kafka namespace on the shared broker, the shipped
 * configuration plus scenario message types, real recipients on loopback, and the eight services as processes.
 */
export class E2eChain {
  readonly recipients = new Map<string, TestRecipient>();
  private readonly clients = new Map<string, MtlsClient>();

  private constructor(
    readonly chain: Chain,
    readonly pki: TestPki,
    private readonly database: ScratchDatabase,
  ) {}

  get db(): Pool {
    return this.database.pool;
  }

  static async start(name: string, options: E2eOptions = {}): Promise<E2eChain> {
    const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
    const suffix = randomBytes(3).toString('hex');
    const database = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), `e2e_${name}`);
    const portBase = await freePortBlock(20, 20_000, 30_000);
    const recipients = new Map<string, TestRecipient>();
    recipients.set('belastingdienst', new TestRecipient(portBase + 10));
    recipients.set('ministerie-bzk', new TestRecipient(portBase + 11));
    let nextPort = portBase + 12;
    for (const [id, scenario] of Object.entries(options.scenarioRecipients ?? {})) {
      recipients.set(id, new TestRecipient(nextPort++, scenario.behaviour));
    }
    const configDir = scratchConfig(ROOT, new Map([...recipients].map(([id, recipient]) => [id, recipient.url])), options.scenarioRecipients ?? {});
    const chain = new Chain({
      root: ROOT,
      kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
      databaseUrl: database.url,
      configDir,
      pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
      portBase,
      logDir: join(ROOT, '.local/test-logs', `${name}-${suffix}`),
      env: {
        KAFKA_NAMESPACE: `e2e-${name}-${suffix}.`,
        KAFKA_MAX_RETRIES: '2',
        KAFKA_RETRY_BACKOFF_MS: '100',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        DELIVERY_POLL_INTERVAL_MS: '200',
        ...options.env,
      },
    });
    const e2e = new E2eChain(chain, pki, database);
    for (const [id, recipient] of recipients) {
      e2e.recipients.set(id, recipient);
      if (options.scenarioRecipients?.[id]?.started !== false) await recipient.start();
    }
    if (options.services) await Promise.all(options.services.map((service) => chain.startService(service)));
    else await chain.start();
    return e2e;
  }

  recipient(id: string): TestRecipient {
    const recipient = this.recipients.get(id);
    if (!recipient) throw new Error(`no recipient ${id}`);
    return recipient;
  }

  client(name: TestClientName | 'anonymous'): MtlsClient {
    let client = this.clients.get(name);
    if (!client) {
      client =
        name === 'anonymous'
          ? new MtlsClient({ ca: this.pki.caChain })
          : new MtlsClient({ cert: this.pki.clients[name].cert, key: this.pki.clients[name].key, ca: this.pki.caChain });
      this.clients.set(name, client);
    }
    return client;
  }

  submit(body: unknown, as: TestClientName | 'anonymous' = 'sender-a') {
    return this.client(as).post<Record<string, unknown>>(`${this.chain.url('ingress')}/api/v1/aanleveren`, body);
  }

  async statuses(kenmerk: string, as: TestClientName = 'sender-a'): Promise<StatusResultaat[]> {
    const response = await this.client(as).get<StatusResultaat[]>(`${this.chain.url('notification')}/api/v1/processen/${kenmerk}/statussen`);
    if (response.status === 404) return [];
    if (response.status !== 200) throw new Error(`status API answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Waits until the process has a status with this code and returns all statuses seen then. */
  waitForStatus(kenmerk: string, code: string, timeoutMs = 30_000): Promise<StatusResultaat[]> {
    return waitFor(`status ${code} for ${kenmerk}`, async () => {
      const statuses = await this.statuses(kenmerk);
      return statuses.some((status) => status.statuscode === code) ? statuses : undefined;
    }, timeoutMs, 150);
  }

  count(table: string): Promise<number> {
    return this.database.count(table);
  }

  async stop(): Promise<void> {
    await this.chain.stop();
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    await Promise.all([...this.recipients.values()].map((recipient) => recipient.stop()));
    await this.database.drop();
  }
}

export function aanlevering(berichtsoort: string, content: Buffer, overrides: Record<string, unknown> = {}) {
  return {
    berichtsoort,
    aanleverkenmerk: `e2e-${randomBytes(4).toString('hex')}`,
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'bericht.xml', inhoud: content.toString('base64') },
    ...overrides,
  };
}
