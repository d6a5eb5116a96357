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

export interface HeadedResponse<T = unknown> extends JsonResponse<T> {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A submitter or status client with its own certificate: how senders talk to ingress and notification. */
export class MtlsClient {
  private readonly agent: Agent;

  /**
   * `keepAliveMs`: how long an idle connection is kept for the next request. The default is below any keep-alive limit
   * a test gives a server (down to 1 s): a pooled connection is never reused just as the server closes it, which would
   * fail a request with ECONNRESET. A client of a server with the default limit (HTTP_KEEP_ALIVE_TIMEOUT_MS, 5 s) keeps
   * its connections longer, as a real submitter does, instead of a new TLS handshake after every half second of quiet.
   */
  constructor(credentials: ClientCredentials | { readonly ca: string }, { keepAliveMs = 500 }: { keepAliveMs?: number } = {}) {
    this.agent = new Agent({
      connect: {
        ca: readFileSync(credentials.ca),
        ...('cert' in credentials ? { cert: readFileSync(credentials.cert), key: readFileSync(credentials.key) } : {}),
      },
      connections: 64,
      keepAliveTimeout: keepAliveMs,
      keepAliveMaxTimeout: keepAliveMs,
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

  async put<T = unknown>(url: string, body: unknown): Promise<JsonResponse<T>> {
    const response = await request(url, {
      method: 'PUT',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await parseBody(response.body)) as T };
  }

  async get<T = unknown>(url: string): Promise<JsonResponse<T>> {
    const response = await request(url, { dispatcher: this.agent });
    return { status: response.statusCode, body: (await parseBody(response.body)) as T };
  }

  /** Any method, with the answer's headers: for PUT, DELETE and conditional requests (If-Match). */
  async send<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HeadedResponse<T>> {
    const response = await request(url, {
      method,
      dispatcher: this.agent,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.statusCode, headers: response.headers, body: (await parseBody(response.body)) as T };
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
