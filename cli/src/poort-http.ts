import { createReadStream } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';

import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_RETRY, backoffMs, busyWaitMs, retryAfterMs, sleep, type RetryPolicy } from './retry.js';
import type { Tls } from './settings.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Poort's refusal body ({ code, message, details?, errorId? }), or what stands in for it when the body is not one. */
export interface RefusalBody {
  readonly code: string;
  readonly message: string;
}

/** What a wait is for, so the progress display can say why nothing moves. */
export type WaitReason = { readonly kind: 'busy'; readonly ms: number } | { readonly kind: 'connection'; readonly ms: number; readonly error: string };

/** A call that may be made again: it must be idempotent (every submission poort makes carries its aanleverkenmerk). */
export type Attempt<T> = () => Promise<T & { readonly status: number; readonly headers: IncomingHttpHeaders }>;

/**
 * HTTPS with the sender's client certificate (two-way TLS) to Poort's ingress and notification, one keep-alive pool.
 * Network trouble is told apart: TLS failures (a rejected certificate, an unknown CA) stop the run at once, as no
 * retry can mend them; dropped or refused connections and busy answers (503, 429) are waited out.
 */
export class PoortHttp {
  private readonly agent: Agent;

  constructor(
    tls: Tls,
    maxSockets: number,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.agent = new Agent({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), keepAlive: true, maxSockets, keepAliveMsecs: 1_000 });
  }

  /** One request with its whole answer. */
  send(method: 'GET' | 'POST', url: URL, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, agent: this.agent, headers: { accept: 'application/json', ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Bytes `start` to `end` (both included) of a file as the body, read from disk as the connection takes them. */
  sendFileRange(method: 'PUT', url: URL, headers: Record<string, string>, path: string, start: number, end: number): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, agent: this.agent, headers: { accept: 'application/json', ...headers, 'content-length': String(end - start + 1) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      // A refusal may come before the body is all sent (Poort closes then): the answer, or the error, settles it.
      pipeline(createReadStream(path, { start, end }), outgoing).catch(reject);
    });
  }

  /**
   * A request whose body is written line by line while the answer streams back line by line (NDJSON both ways):
   * `lines` is pulled as the connection takes it, `onLine` gets each answer line as it comes.
   */
  streamLines(url: URL, headers: Record<string, string>, lines: AsyncIterable<string>, onLine: (line: string) => void): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        outgoing.destroy();
        reject(error);
      };
      const outgoing = request(url, { method: 'POST', agent: this.agent, headers }, (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            settled = true;
            resolve({ status, headers: response.headers, body: Buffer.concat(chunks) });
          });
          response.on('error', fail);
          return;
        }
        const reader = createInterface({ input: response, crlfDelay: Infinity });
        reader.on('line', (line) => {
          if (line.trim() !== '') onLine(line);
        });
        response.on('error', fail);
        reader.on('error', fail);
        // An answer cut short (the connection dropped) ends without 'end' being a complete one: 'aborted' tells.
        response.on('aborted', () => fail(Object.assign(new Error('the answer stream was cut off'), { code: 'ECONNRESET' })));
        reader.on('close', () => {
          if (settled) return;
          settled = true;
          resolve({ status, headers: response.headers, body: Buffer.alloc(0) });
        });
      });
      outgoing.on('error', fail);
      void (async () => {
        try {
          for await (const line of lines) {
            if (settled) return;
            if (!outgoing.write(line)) await new Promise<void>((drained) => outgoing.once('drain', drained));
          }
          outgoing.end();
        } catch (error) {
          fail(error);
        }
      })();
    });
  }

  /**
   * Makes an idempotent call until it gets an answer that is not "busy": busy answers (503, 429, with their
   * Retry-After) for up to maxBusyMs in a row, dropped connections and gateway errors (502, 504) maxConnectionAttempts
   * times in a row. Neither counts as a refusal; giving up is a connection error (exit 5).
   */
  async withRetries<T>(attempt: Attempt<T>, onWait: (reason: WaitReason) => void = () => {}, signal?: AbortSignal): Promise<T & { status: number; headers: IncomingHttpHeaders }> {
    let busySince: number | undefined;
    let busyAttempts = 0;
    let connectionAttempts = 0;
    for (;;) {
      if (signal?.aborted) throw new CliError('RUN_INTERRUPTED', EXIT.interrupted, 'interrupted');
      let answer: T & { readonly status: number; readonly headers: IncomingHttpHeaders };
      try {
        answer = await attempt();
      } catch (error) {
        const kind = networkErrorKind(error);
        if (kind === 'tls') throw new CliError('CONNECTION_TLS_FAILED', EXIT.connection, `TLS with Poort failed: ${describe(error)}`, { cause: error });
        if (kind === 'other') throw error;
        connectionAttempts += 1;
        if (connectionAttempts >= this.policy.maxConnectionAttempts) {
          throw new CliError('CONNECTION_FAILED', EXIT.connection, `cannot reach Poort after ${connectionAttempts} attempts: ${describe(error)}`, { cause: error });
        }
        const ms = backoffMs(connectionAttempts, Math.random, this.policy);
        onWait({ kind: 'connection', ms, error: describe(error) });
        await sleep(ms, signal);
        continue;
      }
      connectionAttempts = 0;
      if (answer.status === 503 || answer.status === 429) {
        busySince ??= Date.now();
        if (Date.now() - busySince > this.policy.maxBusyMs) {
          throw new CliError('CONNECTION_BUSY', EXIT.connection, `Poort kept answering busy (HTTP ${answer.status}) for ${Math.round(this.policy.maxBusyMs / 1000)} s`);
        }
        busyAttempts += 1;
        const ms = busyWaitMs(retryAfterMs(answer.headers['retry-after'], new Date(), this.policy), busyAttempts, Math.random, this.policy);
        onWait({ kind: 'busy', ms });
        await sleep(ms, signal);
        continue;
      }
      if (answer.status === 502 || answer.status === 504) {
        connectionAttempts += 1;
        if (connectionAttempts >= this.policy.maxConnectionAttempts) {
          throw new CliError('CONNECTION_FAILED', EXIT.connection, `Poort's gateway answered HTTP ${answer.status} ${connectionAttempts} times`);
        }
        const ms = backoffMs(connectionAttempts, Math.random, this.policy);
        onWait({ kind: 'connection', ms, error: `HTTP ${answer.status}` });
        await sleep(ms, signal);
        continue;
      }
      return answer;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** TLS failures cannot be mended by trying again; a dropped or refused connection may. */
export function networkErrorKind(error: unknown): 'tls' | 'transient' | 'other' {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string') {
    if (/^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_SSL/.test(code)) return 'tls';
    if (TRANSIENT.has(code)) return /alert|handshake/i.test(message) ? 'tls' : 'transient';
  }
  if (/SSL|TLS|certificate|alert/i.test(message)) return 'tls';
  if (/socket hang up/i.test(message)) return 'transient';
  return 'other';
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Poort's refusal body, or a stand-in naming the HTTP status when the body is none. */
export function refusalOf(answer: { status: number; body: Buffer }): RefusalBody {
  try {
    const body = JSON.parse(answer.body.toString('utf8')) as Partial<RefusalBody>;
    if (typeof body.code === 'string' && typeof body.message === 'string') return { code: body.code, message: body.message };
  } catch {
    // not JSON: fall through
  }
  return { code: `HTTP_${answer.status}`, message: answer.body.toString('utf8').slice(0, 300) || `HTTP ${answer.status}` };
}
