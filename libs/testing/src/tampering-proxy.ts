import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';

/** What a request looks like to the proxy, and what it sends on instead. */
export interface InterceptedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface TamperingProxyOptions {
  /** The https endpoint it passes requests on to. */
  readonly target: string;
  /** The certificate and key it serves TLS with (PEM files): for the test, the recipient's own, as if stolen. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** The CAs of both sides (PEM file). */
  readonly ca: string;
  /** The client certificate and key it presents to the target (PEM files): for the test, Poort's own. */
  readonly clientCert: string;
  readonly clientKey: string;
  readonly tamper: (request: InterceptedRequest) => InterceptedRequest;
}

/**
 * A man in the middle holding every certificate and key (a compromised TLS-terminating proxy): it changes each request
 * after Poort signed it, and passes it on over TLS as Poort, so only the request signature can reveal the change.
 */
export class TamperingProxy {
  private server: Server | undefined;
  private readonly agent: Agent;

  constructor(
    readonly port: number,
    private readonly options: TamperingProxyOptions,
    readonly host = '127.0.0.1',
  ) {
    this.agent = new Agent({ cert: readFileSync(options.clientCert), key: readFileSync(options.clientKey), ca: readFileSync(options.ca) });
  }

  get url(): string {
    return `https://${this.host}:${this.port}/inbox`;
  }

  /** Flips the first byte of the body. */
  static body(intercepted: InterceptedRequest): InterceptedRequest {
    const body = Buffer.from(intercepted.body);
    if (body.length > 0) body[0]! ^= 0x01;
    return { headers: intercepted.headers, body };
  }

  /** Sets one header to another value. */
  static header(name: string, value: string): (intercepted: InterceptedRequest) => InterceptedRequest {
    return (intercepted) => ({ headers: { ...intercepted.headers, [name]: value }, body: intercepted.body });
  }

  async start(): Promise<this> {
    const server = createServer({ cert: readFileSync(this.options.serverCert), key: readFileSync(this.options.serverKey), requestCert: true, rejectUnauthorized: false }, (incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const changed = this.options.tamper({ headers: incoming.headers, body: Buffer.concat(chunks) });
        const forwarded = request(this.options.target, { method: incoming.method ?? 'POST', agent: this.agent, headers: { ...changed.headers, 'content-length': String(changed.body.length) } }, (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        });
        forwarded.on('error', (error) => outgoing.writeHead(502).end(`proxy: ${error.message}`));
        forwarded.end(changed.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, resolve);
    });
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
