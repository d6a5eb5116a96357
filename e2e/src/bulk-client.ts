import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import type { TestPki } from '@poort/pki';
import { Agent, request } from 'undici';

/** The answer to POST /api/v1/bulk: status, headers, and each NDJSON line parsed, in the order they came. */
export interface BulkAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly lines: Record<string, unknown>[];
}

/**
 * A bulk submitter over two-way TLS: the request body streams out in small chunks (lines cut anywhere) while the
 * answer streams back, and the answer is read line by line as it arrives.
 */
export class BulkClient {
  private readonly agent: Agent;

  constructor(pki: TestPki, name: 'sender-a' | 'sender-b' | 'operator') {
    const client = pki.clients[name];
    this.agent = new Agent({ connect: { ca: readFileSync(pki.caChain), cert: readFileSync(client.cert), key: readFileSync(client.key) }, keepAliveTimeout: 500, keepAliveMaxTimeout: 500 });
  }

  async submit(ingressUrl: string, lines: readonly string[], chunkBytes = 16 * 1024): Promise<BulkAnswer> {
    const body = Buffer.from(lines.join('\n') + '\n');
    const chunks = function* () {
      for (let at = 0; at < body.length; at += chunkBytes) yield body.subarray(at, at + chunkBytes);
    };
    const response = await request(`${ingressUrl}/api/v1/bulk`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/x-ndjson' },
      body: Readable.from(chunks()),
    });
    const answer: Record<string, unknown>[] = [];
    let rest = '';
    for await (const chunk of response.body) {
      const text = rest + (chunk as Buffer).toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) if (part.length > 0) answer.push(JSON.parse(part) as Record<string, unknown>);
    }
    if (rest.length > 0) answer.push(JSON.parse(rest) as Record<string, unknown>);
    return { status: response.statusCode, headers: response.headers, lines: answer };
  }

  /**
   * A client that goes away mid-stream: sends `lines`, waits until `acknowledged` item lines have come back, then
   * breaks the connection. Returns the answer's headers and the lines it had read by then.
   */
  async submitAndGoAway(ingressUrl: string, lines: readonly string[], acknowledged: number): Promise<BulkAnswer> {
    let enough: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (enough = resolve));
    const body = async function* () {
      for (const line of lines) yield Buffer.from(`${line}\n`);
      await seen;
      throw new Error('the client went away');
    };
    const response = await request(`${ingressUrl}/api/v1/bulk`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/x-ndjson' },
      body: Readable.from(body()),
    });
    const answer: Record<string, unknown>[] = [];
    let rest = '';
    try {
      for await (const chunk of response.body) {
        const parts = (rest + (chunk as Buffer).toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        for (const part of parts) if (part.length > 0) answer.push(JSON.parse(part) as Record<string, unknown>);
        if (answer.length >= acknowledged) enough();
      }
    } catch {
      // The connection broke, as it was meant to.
    }
    return { status: response.statusCode, headers: response.headers, lines: answer };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
