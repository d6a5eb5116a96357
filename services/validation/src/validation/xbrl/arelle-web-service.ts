import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ArelleUnavailableError, findingsOfArelleLog, type ArelleFinding } from './arelle-log.js';
import { zipOneFile } from './filing-zip.js';

export type CalculationCheck = 'c11r' | 'c10' | 'none';

/** One filing and what Arelle checks it against. */
export interface ArelleRequest {
  readonly filing: Uint8Array;
  /** Taxonomy packages, as paths Arelle can open (its own file system). */
  readonly packages: readonly string[];
  readonly calculation: CalculationCheck;
}

/** Arelle as the validation service uses it: a filing in, Arelle's errors and warnings out. */
export interface Arelle {
  validate(request: ArelleRequest): Promise<ArelleFinding[]>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export type ArelleWebServiceOptions =
  /** An Arelle web service run beside the service (a sidecar container on localhost). */
  | { readonly url: string; readonly timeoutMs: number }
  /** Arelle's command line (arelleCmdLine), which the service runs as its own web service on loopback. */
  | { readonly command: string; readonly timeoutMs: number };

const FILING_NAME = 'aangifte.xbrl';
const START_TIMEOUT_MS = 60_000;

/**
 * A long-lived Arelle (`arelleCmdLine --webserver`), asked per filing over its REST API: Python, Arelle and the XBRL
 * specification schemas are loaded once, where a process per filing pays that each time (0.5–0.9 s against 50 ms per
 * filing with the test package). The filing goes as a zip (POST application/zip), so Arelle needs no shared disk.
 *
 * Arelle's web server handles one request at a time and a request cannot be cancelled: calls are queued here, so
 * each filing's time limit counts its own validation only. An Arelle of the service's own that exceeds the limit or
 * stops answering is killed and started again; a sidecar is its pod's to restart (liveness probe).
 */
export class ArelleWebService implements Arelle {
  private queue: Promise<unknown> = Promise.resolve();
  private own?: OwnArelle;

  constructor(private readonly options: ArelleWebServiceOptions) {
    if ('command' in options && !existsSync(options.command)) {
      throw new Error(`Arelle is not installed at ${options.command}: run scripts/bootstrap.sh, or set VALIDATION_ARELLE_URL or VALIDATION_ARELLE_COMMAND`);
    }
  }

  /** Starts the service's own Arelle and waits until it answers (a sidecar is not waited for). */
  async start(): Promise<void> {
    if ('command' in this.options) await this.ownArelle();
  }

  validate(request: ArelleRequest): Promise<ArelleFinding[]> {
    const run = this.queue.then(() => this.ask(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await own?.stop();
  }

  private async ask(request: ArelleRequest): Promise<ArelleFinding[]> {
    const base = 'url' in this.options ? this.options.url.replace(/\/$/, '') : (await this.ownArelle()).url;
    // An unsatisfied formula assertion without a message of its own is logged too, at the assertion's severity.
    const query = new URLSearchParams({ media: 'json', calc: request.calculation, packages: request.packages.join('|'), formulaUnmessagedUnsatisfiedAsser: '' });
    let body: string;
    try {
      const response = await fetch(`${base}/rest/xbrl/${FILING_NAME}/validation/xbrl?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/zip', 'x-file-name': 'filing.zip' },
        body: zipOneFile(FILING_NAME, request.filing),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      body = await response.text();
      if (response.status !== 200) throw new ArelleUnavailableError(`Arelle answered HTTP ${response.status}: ${body.slice(0, 200)}`);
    } catch (error) {
      await this.restartOwn();
      if (error instanceof ArelleUnavailableError) throw error;
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new ArelleUnavailableError(
        timedOut ? `Arelle did not finish the filing within ${this.options.timeoutMs} ms` : `Arelle is not reachable at ${base}: ${(error as Error).message}`,
      );
    }
    return findingsOfArelleLog(body, FILING_NAME);
  }

  private async ownArelle(): Promise<OwnArelle> {
    if (!('command' in this.options)) throw new Error('a sidecar Arelle is not the service\'s own');
    if (!this.own || this.own.exited) {
      await this.own?.stop();
      this.own = await OwnArelle.start(this.options.command);
    }
    return this.own;
  }

  /** A busy or broken own Arelle is ended; the next filing starts a fresh one. */
  private async restartOwn(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await own?.stop();
  }
}

/** The service's own Arelle web server: on a free loopback port, with a configuration directory of its own. */
class OwnArelle {
  exited = false;
  private stderr = '';
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly configDir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.once('exit', () => {
      this.exited = true;
      process.off('exit', this.killOnExit);
    });
    // A service that ends leaves no Arelle behind (a SIGKILL of the service does: the child then serves no one).
    process.on('exit', this.killOnExit);
  }

  static async start(command: string): Promise<OwnArelle> {
    const port = await freeLoopbackPort();
    const configDir = mkdtempSync(join(tmpdir(), 'poort-arelle-'));
    const child = spawn(
      command,
      [`--webserver=127.0.0.1:${port}`, '--internetConnectivity=offline', '--disablePersistentConfig', '--logNoRefObjectProperties'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        // Arelle keeps its cache and settings under XDG_CONFIG_HOME: one of its own per process, removed at the end.
        env: { ...process.env, XDG_CONFIG_HOME: configDir, ARELLE_WEBSERVER_NO_SECURITY_WARNING: '1' },
      },
    );
    const arelle = new OwnArelle(child, `http://127.0.0.1:${port}`, configDir);
    await arelle.waitUntilAnswering();
    return arelle;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) this.child.kill('SIGKILL');
    }
    rmSync(this.configDir, { recursive: true, force: true });
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new ArelleUnavailableError(`Arelle stopped while starting: ${this.stderr.trim().slice(-1_000)}`);
      try {
        const response = await fetch(`${this.url}/about`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await this.stop();
    throw new ArelleUnavailableError(`Arelle did not answer within ${START_TIMEOUT_MS} ms of starting`);
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
