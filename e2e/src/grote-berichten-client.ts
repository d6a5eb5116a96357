import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import type { TestClientName, TestPki } from '@poort/pki';
import { Agent, request } from 'undici';

import type { LargeFile } from './large-file.js';

/** Where aanleverenStreamed puts the file's base64 in the aanlevering it is given. */
export const INHOUD_PLACEHOLDER = '<inhoud>';

/** A byte range as Poort lists them: first and last byte, both included. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface UploadState {
  readonly status: 'open' | 'voltooid' | 'verlopen' | 'mislukt';
  readonly grootte: number;
  readonly ontvangen: readonly ByteRange[];
  readonly ontbrekend: readonly ByteRange[];
  readonly kenmerk?: string;
}

export interface JsonAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: T;
}

/**
 * One party of Grote Berichten over two-way TLS, as a sender (announce, upload ranges, ask what arrived) or as a
 * recipient (fetch a file by ranges). Bodies stream from and to disk: the test never holds a file whole.
 */
export class GroteBerichtenClient {
  private readonly agent: Agent;

  constructor(pki: TestPki, name: TestClientName) {
    const client = pki.clients[name];
    this.agent = new Agent({
      connect: { ca: readFileSync(pki.caChain), cert: readFileSync(client.cert), key: readFileSync(client.key) },
      keepAliveTimeout: 500,
      keepAliveMaxTimeout: 500,
    });
  }

  announce(ingressUrl: string, announcement: unknown): Promise<JsonAnswer> {
    return this.json(`${ingressUrl}/api/v1/grote-berichten`, 'POST', JSON.stringify(announcement), { 'content-type': 'application/json' });
  }

  state(uploadUrl: string): Promise<JsonAnswer<UploadState>> {
    return this.json(uploadUrl, 'GET');
  }

  /** PUTs bytes start..end (inclusive) of the file, streamed from disk. */
  put(uploadUrl: string, file: LargeFile, range: ByteRange): Promise<JsonAnswer> {
    return this.json(uploadUrl, 'PUT', createReadStream(file.path, { start: range.start, end: range.end }), {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${range.start}-${range.end}/${file.size}`,
      'content-length': String(range.end - range.start + 1),
    });
  }

  /**
   * A PUT whose connection breaks after `sentBytes` of the range's body: what a sender's network cut looks like to
   * Poort. Resolves once the request has failed on the client's side.
   */
  async putInterrupted(uploadUrl: string, file: LargeFile, range: ByteRange, sentBytes: number): Promise<void> {
    const body = async function* () {
      for await (const chunk of createReadStream(file.path, { start: range.start, end: range.start + sentBytes - 1 })) yield chunk as Buffer;
      await new Promise((resolve) => setTimeout(resolve, 200));
      throw new Error('the connection broke');
    };
    await request(uploadUrl, {
      method: 'PUT',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${range.start}-${range.end}/${file.size}`,
        'content-length': String(range.end - range.start + 1),
      },
      body: Readable.from(body()),
    }).then(
      async (response) => {
        await response.body.dump();
        throw new Error(`an interrupted upload was answered ${response.statusCode}`);
      },
      () => undefined,
    );
  }

  /** GET with a Range header; the body goes to `sink` chunk by chunk. */
  async fetchRange(url: string, range: string | undefined, sink: (chunk: Buffer) => void, headers: Record<string, string> = {}): Promise<JsonAnswer<undefined>> {
    const response = await request(url, { method: 'GET', dispatcher: this.agent, headers: { ...(range ? { range } : {}), ...headers } });
    for await (const chunk of response.body) sink(chunk as Buffer);
    return { status: response.statusCode, headers: response.headers, body: undefined };
  }

  /** A GET that the client breaks off after `keepBytes` bytes (a recipient's interrupted download); returns those bytes' count. */
  async fetchInterrupted(url: string, keepBytes: number, sink: (chunk: Buffer) => void): Promise<number> {
    const controller = new AbortController();
    const response = await request(url, { method: 'GET', dispatcher: this.agent, signal: controller.signal });
    let kept = 0;
    try {
      for await (const chunk of response.body) {
        const piece = (chunk as Buffer).subarray(0, keepBytes - kept);
        sink(piece);
        kept += piece.length;
        if (kept >= keepBytes) {
          controller.abort();
          break;
        }
      }
    } catch {
      // the abort
    }
    return kept;
  }

  /**
   * A REST aanleveren whose berichtInhoud is the file, base64-encoded as the body streams out (the JSON around it as
   * given, with INHOUD_PLACEHOLDER where the content goes): a large in-band message without a large string anywhere.
   */
  async aanleverenStreamed(ingressUrl: string, aanlevering: Record<string, unknown>, file: LargeFile): Promise<JsonAnswer> {
    const [head, tail] = JSON.stringify(aanlevering).split(JSON.stringify(INHOUD_PLACEHOLDER)) as [string, string];
    const body = async function* () {
      yield Buffer.from(`${head}"`);
      let rest = Buffer.alloc(0);
      for await (const chunk of createReadStream(file.path, { highWaterMark: 1024 * 1024 })) {
        const bytes = Buffer.concat([rest, chunk as Buffer]);
        const whole = bytes.length - (bytes.length % 3);
        yield Buffer.from(bytes.subarray(0, whole).toString('base64'));
        rest = bytes.subarray(whole);
      }
      yield Buffer.from(`${rest.toString('base64')}"${tail}`);
    };
    const length = Buffer.byteLength(head) + 2 + 4 * Math.ceil(file.size / 3) + Buffer.byteLength(tail);
    return this.json(`${ingressUrl}/api/v1/aanleveren`, 'POST', Readable.from(body()), { 'content-type': 'application/json', 'content-length': String(length) });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async json<T>(url: string, method: 'GET' | 'POST' | 'PUT', body?: string | Readable, headers: Record<string, string> = {}): Promise<JsonAnswer<T>> {
    const response = await request(url, { method, dispatcher: this.agent, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: (text.length > 0 ? JSON.parse(text) : undefined) as T };
  }
}
