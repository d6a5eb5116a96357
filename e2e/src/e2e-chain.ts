import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pool } from '@poort/message-state';
import { Agent, request } from 'undici';
import { generateTestPki, type TestClientName, type TestPki } from '@poort/pki';
import {
  Chain,
  MtlsClient,
  ScratchDatabase,
  TestRecipient,
  TestWusRecipient,
  freePortBlock,
  portsPerReplica,
  requiredEnv,
  scratchConfig,
  waitFor,
  type ExtraConfig,
  type RecipientBehaviour,
  type RecipientSecurity,
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

/** An HTTP answer with its bytes as they came (content, metrics) and its headers. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** A scenario recipient, the message type routed to it and its delivery policy. */
export interface ScenarioRecipient {
  readonly behaviour: RecipientBehaviour;
  readonly retryWindow: string;
  readonly started?: boolean;
  readonly routes?: readonly string[];
  readonly initialBackoff?: string;
  readonly maxBackoff?: string;
  readonly subscribersOnly?: boolean;
  /**
   * As production recipients are: https with the test PKI's recipient-a certificate (pinned in its profile), taking
   * only Poort's client certificate and deliveries signed by Poort.
   */
  readonly https?: boolean;
  /**
   * A WUS afleverservice (TestWusRecipient, recipient-a's certificate and OIN, pinned in its profile) instead of a
   * REST inbox; behaviour 'refuse' is its SOAP fault. Reach it with `wusRecipient(id)`.
   */
  readonly wus?: boolean;
  /** Where Poort sends its deliveries when not to the recipient itself (e.g. a proxy the test puts in front of it). */
  readonly endpoint?: string;
  /** More of its delivery profile, as recipients.yaml spells it. */
  readonly profile?: Readonly<Record<string, unknown>>;
}

export interface E2eOptions {
  /**
   * Extra recipients (id → initial behaviour), each with a message type of the same name routed to it (or to the
   * recipients `routes` names), with its own retry window and back-off.
   */
  readonly scenarioRecipients?: Readonly<
    Record<string, ScenarioRecipient>
  >;
  /** Processes per service (default 1 each). */
  readonly replicas?: Partial<Record<ServiceName, number>>;
  /** Only these services (default: all eight). */
  readonly services?: readonly ServiceName[];
  /** Recipients and message types of the test's own (pull recipients, mededelingen), added to the shipped ones. */
  readonly extraConfig?: ExtraConfig;
  /** Extra environment of every service (operator settings under test). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One end-to-end environment: its own Postgres database and Kafka namespace on the shared broker, the shipped
 * configuration plus scenario message types, real recipients on loopback, and the eight services as processes.
 */
export class E2eChain {
  readonly recipients = new Map<string, TestRecipient>();
  readonly wusRecipients = new Map<string, TestWusRecipient>();
  private readonly clients = new Map<string, MtlsClient>();
  private readonly agents = new Map<string, Agent>();

  private constructor(
    readonly chain: Chain,
    readonly pki: TestPki,
    private readonly database: ScratchDatabase,
    /** The Kafka namespace of this environment's topics and groups (KAFKA_NAMESPACE). */
    readonly namespace: string,
  ) {}

  get db(): Pool {
    return this.database.pool;
  }

  /** The connection URL of this environment's database (for an operator command run against it). */
  get databaseUrl(): string {
    return this.database.url;
  }

  static async start(name: string, options: E2eOptions = {}): Promise<E2eChain> {
    const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
    const suffix = randomBytes(3).toString('hex');
    const namespace = `e2e-${name}-${suffix}.`;
    const database = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), `e2e_${name}`);
    const replicaBlocks = Math.max(1, ...Object.values(options.replicas ?? {}).map((count) => count ?? 1));
    const recipientsBase = replicaBlocks * portsPerReplica;
    const portBase = await freePortBlock(recipientsBase + 13, 20_000, 30_000);
    const recipients = new Map<string, TestRecipient>();
    recipients.set('belastingdienst', new TestRecipient(portBase + recipientsBase));
    recipients.set('ministerie-bzk', new TestRecipient(portBase + recipientsBase + 1));
    recipients.set('ministerie-fin', new TestRecipient(portBase + recipientsBase + 2));
    let nextPort = portBase + recipientsBase + 3;
    const wusRecipients = new Map<string, TestWusRecipient>();
    const scenarios: Record<string, ScenarioRecipient> = {};
    for (const [id, scenario] of Object.entries(options.scenarioRecipients ?? {})) {
      if (scenario.wus) {
        const behaviour = scenario.behaviour === 'refuse' ? 'fault' : scenario.behaviour;
        wusRecipients.set(id, new TestWusRecipient({ port: nextPort++, credentials: pki.clients['recipient-a'], caFile: pki.caChain, behaviour }));
        const profile = { channel: 'wus', oin: pki.clients['recipient-a'].oin, certificate: pki.clients['recipient-a'].cert, ...scenario.profile };
        scenarios[id] = { ...scenario, profile };
        continue;
      }
      const security = scenario.https ? recipientSecurity(pki) : undefined;
      recipients.set(id, new TestRecipient(nextPort++, scenario.behaviour, '127.0.0.1', security));
      scenarios[id] = security ? { ...scenario, profile: { certificate: security.cert, ...scenario.profile } } : scenario;
    }
    const endpoints = new Map<string, string>([
      ...[...recipients].map(([id, recipient]) => [id, scenarios[id]?.endpoint ?? recipient.url] as const),
      ...[...wusRecipients].map(([id, recipient]) => [id, recipient.url] as const),
    ]);
    const configDir = scratchConfig(ROOT, endpoints, scenarios, options.extraConfig);
    const chain = new Chain({
      root: ROOT,
      kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
      databaseUrl: database.url,
      configDir,
      pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
      // The test PKI's operator reads every archived message and may use the admin routes.
      operatorOins: [pki.clients.operator.oin],
      portBase,
      ...(options.replicas ? { replicas: options.replicas } : {}),
      logDir: join(ROOT, '.local/test-logs', `${name}-${suffix}`),
      env: {
        KAFKA_NAMESPACE: namespace,
        KAFKA_TOPIC_PARTITIONS: '4',
        KAFKA_MAX_RETRIES: '2',
        KAFKA_RETRY_BACKOFF_MS: '100',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        DELIVERY_POLL_INTERVAL_MS: '200',
        ...options.env,
      },
    });
    const e2e = new E2eChain(chain, pki, database, namespace);
    try {
      for (const [id, recipient] of recipients) {
        e2e.recipients.set(id, recipient);
        if (options.scenarioRecipients?.[id]?.started !== false) await recipient.start();
      }
      for (const [id, recipient] of wusRecipients) {
        e2e.wusRecipients.set(id, recipient);
        if (options.scenarioRecipients?.[id]?.started !== false) await recipient.start();
      }
      if (options.services) await Promise.all(options.services.map((service) => chain.startService(service)));
      else await chain.start();
    } catch (error) {
      // What did start is stopped: its processes and servers would keep the test file running after its hook failed.
      await e2e.stop().catch(() => undefined);
      throw error;
    }
    return e2e;
  }

  /** Every ingress replica's base URL. */
  ingressUrls(): string[] {
    return Array.from({ length: this.chain.replicasOf('ingress') }, (_, replica) => this.chain.url('ingress', replica));
  }

  recipient(id: string): TestRecipient {
    const recipient = this.recipients.get(id);
    if (!recipient) throw new Error(`no recipient ${id}`);
    return recipient;
  }

  wusRecipient(id: string): TestWusRecipient {
    const recipient = this.wusRecipients.get(id);
    if (!recipient) throw new Error(`no WUS recipient ${id}`);
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

  /** GET a path of a service as this client ('anonymous': no certificate; plain HTTP services ignore it). */
  async get(service: ServiceName, path: string, as: TestClientName | 'anonymous' = 'anonymous'): Promise<HttpAnswer> {
    let agent = this.agents.get(as);
    if (!agent) {
      const credentials = as === 'anonymous' ? {} : { cert: readFileSync(this.pki.clients[as].cert), key: readFileSync(this.pki.clients[as].key) };
      agent = new Agent({ connect: { ca: readFileSync(this.pki.caChain), ...credentials }, keepAliveTimeout: 500, keepAliveMaxTimeout: 500 });
      this.agents.set(as, agent);
    }
    const response = await request(`${this.chain.url(service)}${path}`, { dispatcher: agent });
    const body = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: response.headers,
      body,
      text: () => body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    };
  }

  /** The archive's record of a message (or with part '/content' its content), as this caller may see it. */
  archive(kenmerk: string, as: TestClientName | 'anonymous' = 'operator', part: '' | '/content' = ''): Promise<HttpAnswer> {
    return this.get('archive', `/archive/v1/messages/${kenmerk}${part}`, as);
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
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    await Promise.all([...this.recipients.values()].map((recipient) => recipient.stop()));
    await Promise.all([...this.wusRecipients.values()].map((recipient) => recipient.stop()));
    await this.database.drop();
  }
}

/** An https recipient with recipient-a's certificate that takes only Poort's certificate and signed deliveries. */
export function recipientSecurity(pki: TestPki): RecipientSecurity {
  return {
    cert: pki.clients['recipient-a'].cert,
    key: pki.clients['recipient-a'].key,
    ca: pki.caChain,
    clientOin: pki.server.oin,
    signingCertificates: [pki.server.cert],
  };
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
