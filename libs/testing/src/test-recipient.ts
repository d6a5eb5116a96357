import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

import { identityFromTlsSocket } from '@poort/pki';

import { DeliverySignatureCheck, type VerifiedDelivery } from './rest-signature-check.js';

export interface ReceivedDelivery {
  readonly messageId: string;
  readonly kenmerk: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly receivedAt: Date;
  /** Over https: the OIN of Poort's client certificate and what Poort's signature was verified to cover. */
  readonly verified?: { readonly clientOin: string; readonly signature: VerifiedDelivery };
}

/**
 * A recipient as production has them: https with two-way TLS, taking only Poort's client certificate, and every
 * delivery signed by Poort (RFC 9421) with a Content-Digest of the body it carries.
 */
export interface RecipientSecurity {
  /** Its server certificate and key (PEM files), e.g. recipient-a of the test PKI. */
  readonly cert: string;
  readonly key: string;
  /** The CAs whose client certificates it accepts (PEM file): others are refused by TLS itself. */
  readonly ca: string;
  /** The OIN Poort's client certificate carries; another (trusted) certificate gets 403. */
  readonly clientOin: string;
  /** Poort's signing certificates (PEM files), known by their SHA-256 thumbprints as the signature's keyid. */
  readonly signingCertificates: readonly string[];
}

/** Why the recipient refused a request it could not trust: 401 (signature, digest) or 403 (certificate). */
export interface RefusedDelivery {
  readonly messageId: string;
  readonly status: 401 | 403;
  readonly reason: string;
}

/** accept: 200; down: 503; refuse: 400 with a reason. */
export type RecipientBehaviour = 'accept' | 'down' | 'refuse';

/**
 * A government recipient's push endpoint as Poort sees one: it stores what it accepts, and, as a real
 * recipient should, takes a repeated message id as already received. Raw POSTs are counted too. Plain http
 * (a local simulator), or with `security` https as production recipients are: two-way TLS, Poort's certificate,
 * Poort's signature and the body's digest checked before anything is accepted.
 */
export class TestRecipient {
  readonly deliveries = new Map<string, ReceivedDelivery>();
  /** Requests refused as untrustworthy (bad signature, tampered body, not Poort's certificate), in order. */
  readonly refusals: RefusedDelivery[] = [];
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
    readonly security?: RecipientSecurity,
  ) {
    this.behaviour = behaviour;
    this.signatureCheck = security ? new DeliverySignatureCheck(security.signingCertificates.map((path) => readFileSync(path, 'utf8'))) : undefined;
  }

  private readonly signatureCheck: DeliverySignatureCheck | undefined;

  get url(): string {
    return `${this.security ? 'https' : 'http'}://${this.host}:${this.port}/inbox`;
  }

  async start(): Promise<this> {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void this.handle(request, response, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`recipient failed: ${(error as Error).message}`);
      }));
    };
    const security = this.security;
    const server = security
      ? createHttpsServer(
          { cert: readFileSync(security.cert), key: readFileSync(security.key), ca: readFileSync(security.ca), requestCert: true, rejectUnauthorized: true },
          handler,
        )
      : createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, resolve);
    });
    this.server = server;
    return this;
  }

  private async handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
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
    let verified: ReceivedDelivery['verified'];
    if (this.security) {
      const trusted = await this.trust(request, body);
      if (!trusted.ok) {
        this.refusals.push({ messageId: posted, status: trusted.status, reason: trusted.reason });
        response.writeHead(trusted.status, { 'content-type': 'text/plain' }).end(trusted.reason);
        return;
      }
      verified = trusted.verified;
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
        body,
        receivedAt: new Date(),
        ...(verified ? { verified } : {}),
      });
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ontvangen":true}');
  }

  /** Poort's client certificate (TLS has checked its chain), then Poort's signature and the body's digest. */
  private async trust(
    request: IncomingMessage,
    body: Buffer,
  ): Promise<{ ok: true; verified: NonNullable<ReceivedDelivery['verified']> } | { ok: false; status: 401 | 403; reason: string }> {
    const security = this.security!;
    let clientOin: string;
    try {
      clientOin = identityFromTlsSocket(request.socket as TLSSocket).oin;
    } catch (error) {
      return { ok: false, status: 403, reason: `client certificate refused: ${(error as Error).message}` };
    }
    if (clientOin !== security.clientOin) return { ok: false, status: 403, reason: `client certificate of OIN ${clientOin} is not Poort's (${security.clientOin})` };
    const check = await this.signatureCheck!.check({
      method: request.method ?? '',
      targetUri: `https://${request.headers.host ?? ''}${request.url ?? ''}`,
      rawHeaders: request.rawHeaders,
      body,
    });
    return check.ok ? { ok: true, verified: { clientOin, signature: check.verified } } : { ok: false, status: 401, reason: check.reason };
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
