import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  readonly messageId: string;
  readonly kenmerk: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly receivedAt: Date;
}

/** accept: 200; down: 503; refuse: 400 with a reason. */
export type RecipientBehaviour = 'accept' | 'down' | 'refuse';

/**
 * A government recipient's push endpoint as Poort sees one: it stores what it accepts, and, as a real
 * recipient should, takes a repeated message id as already received. Raw POSTs are counted too.
 */
export class TestRecipient {
  readonly deliveries = new Map<string, ReceivedDelivery>();
  posts = 0;
  /** POSTs per message id, whatever the answer was: how often Poort tried each message. */
  readonly postsByMessageId = new Map<string, number>();
  behaviour: RecipientBehaviour;
  private server: Server | undefined;

  constructor(
    readonly port: number,
    behaviour: RecipientBehaviour = 'accept',
    /** The address it listens on: loopback, or e.g. the pod network's gateway for a chain in Kubernetes. */
    readonly host = '127.0.0.1',
  ) {
    this.behaviour = behaviour;
  }

  get url(): string {
    return `http://${this.host}:${this.port}/inbox`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/received' && request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify([...this.deliveries.values()].map(({ body, ...rest }) => ({ ...rest, size: body.length }))));
          return;
        }
        this.posts++;
        const posted = String(request.headers['x-poort-message-id'] ?? '');
        this.postsByMessageId.set(posted, (this.postsByMessageId.get(posted) ?? 0) + 1);
        if (this.behaviour === 'down') {
          response.writeHead(503).end('service unavailable');
          return;
        }
        if (this.behaviour === 'refuse') {
          response.writeHead(400, { 'content-type': 'text/plain' }).end('bericht geweigerd: onbekende factuurontvanger');
          return;
        }
        const messageId = String(request.headers['x-poort-message-id'] ?? '');
        if (!this.deliveries.has(messageId)) {
          this.deliveries.set(messageId, {
            messageId,
            kenmerk: String(request.headers['x-poort-kenmerk'] ?? ''),
            headers: request.headers,
            body: Buffer.concat(chunks),
            receivedAt: new Date(),
          });
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ontvangen":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, resolve);
    });
    this.server = server;
    return this;
  }

  /** Takes the endpoint off the network entirely: connections are refused, as when a recipient is down hard. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  forKenmerk(kenmerk: string): ReceivedDelivery | undefined {
    return [...this.deliveries.values()].find((delivery) => delivery.kenmerk === kenmerk);
  }

  get address(): AddressInfo | undefined {
    return this.server?.address() as AddressInfo | undefined;
  }
}
