import { readFileSync } from 'node:fs';

import { Agent, request } from 'undici';

export interface ClientCredentials {
  readonly cert: string;
  readonly key: string;
  /** The CA chain that issued the server's certificate. */
  readonly ca: string;
}

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** A submitter or status client with its own certificate: how senders talk to ingress and notification. */
export class MtlsClient {
  private readonly agent: Agent;

  constructor(credentials: ClientCredentials | { readonly ca: string }) {
    this.agent = new Agent({
      connect: {
        ca: readFileSync(credentials.ca),
        ...('cert' in credentials ? { cert: readFileSync(credentials.cert), key: readFileSync(credentials.key) } : {}),
      },
      connections: 64,
      // Below any keep-alive limit a test gives a server (down to 1 s): a pooled connection is never reused just as
      // the server closes it, which would fail a request with ECONNRESET.
      keepAliveTimeout: 500,
      keepAliveMaxTimeout: 500,
    });
  }

  async post<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const response = await request(url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await parseBody(response.body)) as T };
  }

  async get<T = unknown>(url: string): Promise<JsonResponse<T>> {
    const response = await request(url, { dispatcher: this.agent });
    return { status: response.statusCode, body: (await parseBody(response.body)) as T };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

async function parseBody(body: { text(): Promise<string> }): Promise<unknown> {
  const text = await body.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
