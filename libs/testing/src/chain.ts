import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

import { Agent, request } from 'undici';

import { waitFor } from './wait-for.js';

export const SERVICES = ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Services whose callers are identified by client certificate: they listen with two-way TLS. */
const MTLS_SERVICES: ReadonlySet<ServiceName> = new Set(['ingress', 'notification']);

export interface ChainOptions {
  /** The repository root: services run from services/<name>/dist/src/main.js. */
  readonly root: string;
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  readonly configDir: string;
  /** A directory made by the test PKI generator: server certificate and CA chain. */
  readonly pki: { readonly serverCert: string; readonly serverKey: string; readonly caChain: string; readonly crl: string };
  /** ingress gets portBase, notification portBase + 1, the others the ports after. */
  readonly portBase: number;
  readonly logDir: string;
  readonly logLevel?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

/** The eight services as real processes on a real Kafka and Postgres, for local runs and end-to-end tests. */
export class Chain {
  readonly ports: Readonly<Record<ServiceName, number>>;
  private readonly processes = new Map<ServiceName, ChildProcess>();
  private readonly healthAgent: Agent;

  constructor(private readonly options: ChainOptions) {
    const order: ServiceName[] = ['ingress', 'notification', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive'];
    this.ports = Object.fromEntries(order.map((name, index) => [name, options.portBase + index])) as Record<ServiceName, number>;
    this.healthAgent = new Agent({ connect: { ca: readFileSync(options.pki.caChain), rejectUnauthorized: true } });
    mkdirSync(options.logDir, { recursive: true });
  }

  /** Where a service's stdout and stderr go (JSON log lines). */
  logFile(service: ServiceName): string {
    return join(this.options.logDir, `${service}.log`);
  }

  url(service: ServiceName): string {
    return `${MTLS_SERVICES.has(service) ? 'https' : 'http'}://127.0.0.1:${this.ports[service]}`;
  }

  async start(): Promise<void> {
    await Promise.all(SERVICES.map((service) => this.startService(service)));
  }

  async startService(service: ServiceName): Promise<void> {
    if (this.processes.has(service)) throw new Error(`${service} is already running`);
    const child = spawn(process.execPath, ['--enable-source-maps', join(this.options.root, 'services', service, 'dist/src/main.js')], {
      env: this.environment(service),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logFile = this.logFile(service);
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.processes.set(service, child);
    child.once('exit', () => {
      if (this.processes.get(service) === child) this.processes.delete(service);
    });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`${service} exited with code ${String(code)} before it was ready (log: ${logFile})`);
    });
    const ready = waitFor(`${service} to be ready (log: ${logFile})`, async () => ((await this.isReady(service)) ? true : undefined), 60_000, 200);
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  }

  /** SIGKILL is a crash: no shutdown hook runs, nothing is flushed or committed. */
  async stopService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.processes.get(service);
    if (!child) return;
    this.processes.delete(service);
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  async restartService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopService(service, signal);
    await this.startService(service);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((service) => this.stopService(service)));
    await this.healthAgent.close();
  }

  async isReady(service: ServiceName): Promise<boolean> {
    try {
      const response = await request(`${this.url(service)}/health/ready`, { dispatcher: this.healthAgent, headersTimeout: 3_000 });
      await response.body.dump();
      return response.statusCode === 200;
    } catch {
      return false;
    }
  }

  private environment(service: ServiceName): NodeJS.ProcessEnv {
    const { options } = this;
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      KAFKA_BROKERS: options.kafkaBrokers,
      DATABASE_URL: options.databaseUrl,
      POORT_CONFIG_DIR: options.configDir,
      HOST: '127.0.0.1',
      PORT: String(this.ports[service]),
      LOG_LEVEL: options.logLevel ?? 'info',
      ...(MTLS_SERVICES.has(service)
        ? { TLS_CERT_FILE: options.pki.serverCert, TLS_KEY_FILE: options.pki.serverKey, TLS_CA_FILE: options.pki.caChain, TLS_CRL_FILE: options.pki.crl }
        : {}),
      ...options.env,
      ...options.serviceEnv?.[service],
    };
  }
}
