import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

import { Agent, request } from 'undici';

import { waitFor } from './wait-for.js';

export const SERVICES = ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Services whose callers are identified by client certificate: they listen with two-way TLS. */
const MTLS_SERVICES: ReadonlySet<ServiceName> = new Set(['ingress', 'notification', 'archive', 'delivery', 'routing']);
/** Services that know the platform's operators (OPERATOR_OINS). */
const OPERATOR_SERVICES: ReadonlySet<ServiceName> = new Set(['archive', 'routing', 'ingress']);
/** Services people wait on: ingress's receipts and notification's status reads. */
const FRONT_DOORS: ReadonlySet<ServiceName> = new Set(['ingress', 'notification']);
/**
 * The niceness of the pipeline stages. On one machine their bursts (each handles a fetch's batch, six of them) took the
 * cores just when a submission wanted one: the bench's receipt p99 at 150/s was 65-110 ms with every service equal,
 * about 20-25 ms with the stages at nice 8, and the chain's throughput no lower. In Kubernetes the same is the pods' CPU
 * requests (helm values): a process's niceness counts only within its own pod.
 */
const STAGE_NICENESS = 8;

/**
 * How a service's node runs, here as in the image (scripts/k8s/image/image-config.json; a deployment test holds the two
 * equal). Node 24 lets V8's young generation grow to 128 MB, which an idle service filled, and glibc gives each thread
 * an arena of its own that keeps what it once held: every service sat at 225-250 MB of RSS before it had done
 * anything. Semi-spaces of 8 MB and two arenas take about 50 MB off each, which a large message's chunks need; and a
 * stream of them asks for collections (--expose-gc: libs/payload-store collection-cadence.ts).
 */
export const NODE_RUNTIME = { flags: ['--max-semi-space-size=8', '--expose-gc'], env: { MALLOC_ARENA_MAX: '2' } } as const;

export interface ChainOptions {
  /** The repository root: services run from services/<name>/dist/src/main.js. */
  readonly root: string;
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  readonly configDir: string;
  /** A directory made by the test PKI generator: server certificate and CA chain. */
  readonly pki: { readonly serverCert: string; readonly serverKey: string; readonly caChain: string; readonly crl: string };
  /** The OINs of the platform's operators (OPERATOR_OINS of the services that know them); default none. */
  readonly operatorOins?: readonly string[];
  /**
   * Replica 0 of ingress gets portBase, of notification portBase + 1, of the others the ports after; replica r of each
   * the same 8 ports further (portBase + 8 r + …).
   */
  readonly portBase: number;
  /** Processes per service, sharing its consumer groups (and its work); default 1. */
  readonly replicas?: Partial<Record<ServiceName, number>>;
  readonly logDir: string;
  readonly logLevel?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

/** The order of the services' ports within each block of 8. */
const PORT_ORDER: readonly ServiceName[] = ['ingress', 'notification', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive'];

/** The ports a chain takes from its portBase: 8 per replica. */
export const portsPerReplica = PORT_ORDER.length;

/**
 * The eight services as real processes on a real Kafka and Postgres, for local runs and end-to-end tests; each may
 * run as several replicas (processes of one consumer group, each with its own HTTP port).
 */
export class Chain {
  /** The port of each service's first replica. */
  readonly ports: Readonly<Record<ServiceName, number>>;
  private readonly processes = new Map<string, ChildProcess>();
  private readonly healthAgent: Agent;

  constructor(private readonly options: ChainOptions) {
    this.ports = Object.fromEntries(PORT_ORDER.map((name) => [name, this.portOf(name, 0)])) as Record<ServiceName, number>;
    this.healthAgent = new Agent({ connect: { ca: readFileSync(options.pki.caChain), rejectUnauthorized: true } });
    mkdirSync(options.logDir, { recursive: true });
  }

  replicasOf(service: ServiceName): number {
    return this.options.replicas?.[service] ?? 1;
  }

  portOf(service: ServiceName, replica = 0): number {
    return this.options.portBase + replica * PORT_ORDER.length + PORT_ORDER.indexOf(service);
  }

  /** Where a service's stdout and stderr go (JSON log lines). */
  logFile(service: ServiceName, replica = 0): string {
    return join(this.options.logDir, replica === 0 ? `${service}.log` : `${service}-${replica}.log`);
  }

  url(service: ServiceName, replica = 0): string {
    return `${MTLS_SERVICES.has(service) ? 'https' : 'http'}://127.0.0.1:${this.portOf(service, replica)}`;
  }

  async start(): Promise<void> {
    await Promise.all(SERVICES.flatMap((service) => Array.from({ length: this.replicasOf(service) }, (_, replica) => this.startService(service, replica))));
  }

  async startService(service: ServiceName, replica = 0): Promise<void> {
    const key = `${service}#${replica}`;
    if (this.processes.has(key)) throw new Error(`${service} replica ${replica} is already running`);
    const node = [process.execPath, '--enable-source-maps', ...NODE_RUNTIME.flags, join(this.options.root, 'services', service, 'dist/src/main.js')];
    // Through nice(1), which execs node: every thread of the process has the niceness, the pid stays the service's.
    const [command, ...args] = FRONT_DOORS.has(service) ? node : ['nice', '-n', String(STAGE_NICENESS), ...node];
    const child = spawn(command!, args, {
      env: this.environment(service, replica),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logFile = this.logFile(service, replica);
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.processes.set(key, child);
    child.once('exit', () => {
      if (this.processes.get(key) === child) this.processes.delete(key);
    });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`${service} replica ${replica} exited with code ${String(code)} before it was ready (log: ${logFile})`);
    });
    // The probe stops when the process has gone (`exited` has answered then): its timer would keep the caller's process alive.
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    const ready = waitFor(`${service} replica ${replica} to be ready (log: ${logFile})`, async () => (gone() || (await this.isReady(service, replica)) ? true : undefined), 60_000, 200);
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  }

  /** SIGKILL is a crash: no shutdown hook runs, nothing is flushed or committed. Resolves to how the process ended. */
  async stopService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM', replica = 0): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const key = `${service}#${replica}`;
    const child = this.processes.get(key);
    if (!child) return undefined;
    this.processes.delete(key);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill(signal);
    const [code, endedBy] = await exited;
    return { code, signal: endedBy };
  }

  async restartService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM', replica = 0): Promise<void> {
    await this.stopService(service, signal, replica);
    await this.startService(service, replica);
  }

  /** The service processes running now, as `service#replica`. */
  running(): string[] {
    return [...this.processes.keys()];
  }

  /** The OS process id of each service process running now, by `service#replica` (e.g. for reading /proc). */
  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const [key, child] of this.processes) if (child.pid !== undefined) pids[key] = child.pid;
    return pids;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.processes.keys()].map((key) => {
        const [service, replica] = key.split('#') as [ServiceName, string];
        return this.stopService(service, 'SIGTERM', Number(replica));
      }),
    );
    await this.healthAgent.close();
  }

  async isReady(service: ServiceName, replica = 0): Promise<boolean> {
    try {
      const response = await request(`${this.url(service, replica)}/health/ready`, { dispatcher: this.healthAgent, headersTimeout: 3_000 });
      await response.body.dump();
      return response.statusCode === 200;
    } catch {
      return false;
    }
  }

  private environment(service: ServiceName, replica: number): NodeJS.ProcessEnv {
    const { options } = this;
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...NODE_RUNTIME.env,
      KAFKA_BROKERS: options.kafkaBrokers,
      DATABASE_URL: options.databaseUrl,
      POORT_CONFIG_DIR: options.configDir,
      HOST: '127.0.0.1',
      PORT: String(this.portOf(service, replica)),
      LOG_LEVEL: options.logLevel ?? 'info',
      ...(MTLS_SERVICES.has(service)
        ? { TLS_CERT_FILE: options.pki.serverCert, TLS_KEY_FILE: options.pki.serverKey, TLS_CA_FILE: options.pki.caChain, TLS_CRL_FILE: options.pki.crl }
        : {}),
      ...(OPERATOR_SERVICES.has(service) ? { OPERATOR_OINS: (options.operatorOins ?? []).join(',') } : {}),
      ...options.env,
      ...options.serviceEnv?.[service],
    };
  }
}
