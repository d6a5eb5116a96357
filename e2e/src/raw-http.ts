import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';

import type { TestClientName, TestPki } from '@poort/pki';

/** What to send: bytes, or a pause (a slow client). */
export type RawStep = Buffer | string | { readonly pauseMs: number };

export interface RawExchangeOptions {
  readonly port: number;
  readonly pki: TestPki;
  /** The client certificate; 'anonymous' offers none. */
  readonly as: TestClientName | 'anonymous';
  readonly steps: readonly RawStep[];
  /** The longest the exchange may take: a hang fails instead of waiting for ever. */
  readonly timeoutMs: number;
}

export interface RawResponse {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * How the exchange ended: a whole response arrived (by its Content-Length), the server closed the connection, or
   * the client gave up at timeoutMs.
   */
  readonly end: 'answered' | 'closed-by-server' | 'timed-out';
  /** From the first byte sent to the end. */
  readonly elapsedMs: number;
  /** Bytes of the steps that were written before the exchange ended (a refused body is not read to its end). */
  readonly bytesWritten: number;
}

/**
 * A client that speaks HTTP/1.1 by hand over TLS, as a hostile or broken one would: any bytes, at any pace, and
 * it keeps reading the answer while it writes, so a server that answers early (and closes) is heard rather than
 * mistaken for a write error.
 */
export async function rawExchange(options: RawExchangeOptions): Promise<RawResponse> {
  const client = options.as === 'anonymous' ? undefined : options.pki.clients[options.as];
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: options.port,
    ca: readFileSync(options.pki.caChain),
    ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
    servername: 'localhost',
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return exchange(socket, options.steps, options.timeoutMs);
}

/** The same over plain TCP, for what happens before TLS (a client that never starts the handshake). */
export async function rawTcpExchange(port: number, steps: readonly RawStep[], timeoutMs: number): Promise<RawResponse> {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return exchange(socket, steps, timeoutMs);
}

async function exchange(socket: Socket, steps: readonly RawStep[], timeoutMs: number): Promise<RawResponse> {
  const started = Date.now();
  const received: Buffer[] = [];
  let closed = false;
  let bytesWritten = 0;
  let answered: (() => void) | undefined;
  const complete = new Promise<'answered'>((resolve) => (answered = () => resolve('answered')));
  socket.on('data', (chunk: Buffer) => {
    received.push(chunk);
    if (isComplete(Buffer.concat(received))) answered?.();
  });
  socket.on('error', () => undefined); // EPIPE / ECONNRESET after the server answered and closed: not a failure
  const ended = new Promise<'closed-by-server'>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve('closed-by-server');
    }),
  );
  const stop = new AbortController();
  const writing = (async () => {
    for (const step of steps) {
      if (closed) return;
      if (typeof step === 'object' && 'pauseMs' in step) {
        await sleep(step.pauseMs, undefined, { signal: stop.signal });
        continue;
      }
      const bytes = typeof step === 'string' ? Buffer.from(step, 'latin1') : step;
      await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
      if (!closed) bytesWritten += bytes.length;
    }
  })();
  const giveUp = new AbortController();
  const end = await Promise.race([complete, ended, sleep(timeoutMs, 'timed-out' as const, { signal: giveUp.signal })]);
  giveUp.abort();
  const elapsedMs = Date.now() - started;
  stop.abort();
  socket.destroy();
  await writing.catch(() => undefined);
  return { ...parseResponse(Buffer.concat(received)), end, elapsedMs, bytesWritten };
}

/** A response whose head and Content-Length worth of body have arrived. */
function isComplete(bytes: Buffer): boolean {
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(bytes.subarray(0, split).toString('latin1'))?.[1];
  return length !== undefined && bytes.length - split - 4 >= Number(length);
}

function parseResponse(bytes: Buffer): Pick<RawResponse, 'status' | 'headers' | 'body'> {
  const text = bytes.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/') || split < 0) return { status: undefined, headers: {}, body: text };
  const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(split + 4) };
}

/** A request head as bytes: request line, headers in the order given (duplicates allowed), blank line. */
export function requestHead(method: string, path: string, headers: readonly (readonly [string, string])[], version = 'HTTP/1.1'): string {
  return `${method} ${path} ${version}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}
