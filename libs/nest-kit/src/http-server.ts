import { readFileSync } from 'node:fs';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';

import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Logger, PoortMetrics } from '@poort/observability';
import type { FastifyRequest } from 'fastify';

import { httpError, renderJsonRefusal } from './http-error.filter.js';
import { lingeringClose } from './lingering-close.js';
import type { HttpLimits } from './http-limits.js';
import type { OpenApiDescription } from './openapi.js';
import type { RefusalRenderers, RenderedRefusal } from './refusal-renderers.js';
import type { RequestAdmissions } from './request-admissions.js';
import type { PoortRouteConfig } from './route-options.js';

export interface ServiceHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly limits: HttpLimits;
  /** Body limits a route names with @MaxBodyBytes('name'), taken from the service's configuration. */
  readonly bodyLimits?: Readonly<Record<string, number>>;
  /** Two-way TLS: the server asks every client for a certificate; routes decide whether they require one. */
  readonly mtls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string; readonly crls?: readonly string[] };
  /** The service's REST API, described at OPENAPI_PATH (see openapi.ts). */
  readonly openApi?: OpenApiDescription;
}

/** What the server's own refusals need of the application once it exists (requests come only after it does). */
export interface ServerContext {
  readonly admissions: RequestAdmissions;
  readonly renderers: RefusalRenderers;
  readonly logger: Logger;
  readonly metrics: PoortMetrics;
}

/**
 * Headers whose repetition leaves the meaning of a request to guesswork (RFC 9110 5.3, RFC 9112 6.3): a second Host,
 * Content-Type or Content-Length is refused rather than one of them picked.
 */
const SINGLETON_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'content-encoding',
  'authorization',
  'soapaction',
]);

/**
 * Fastify under Nest, with the limits that keep a slow or hostile client from tying a service up: request, header,
 * keep-alive and idle timeouts, connection caps, per-route body limits applied before the body is read, refusal of
 * ambiguous framing, and admissions (who is calling) before the body is read. Every refusal the server makes on its
 * own, below the routes, still has Poort's shape (JSON ErrorBody, or the path's renderer: SOAP faults on WUS paths).
 */
export function createHttpAdapter(http: ServiceHttpOptions, context: () => ServerContext | undefined): FastifyAdapter {
  const { limits } = http;
  const nodeServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    // How often Node checks the request and header timeouts (its default, 30 s, would let them run over by as much).
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4))),
    maxHeaderSize: limits.maxHeaderBytes,
    // Checked in refuseAmbiguousFraming instead, so that the refusal has Poort's shape (Node's own has no body).
    requireHostHeader: false,
  };
  const lastPath = new WeakMap<Socket, string>();
  const adapter = new FastifyAdapter({
    bodyLimit: limits.defaultBodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    clientErrorHandler: (error, socket) => refuseOnSocket(error, socket, lastPath.get(socket), context()),
    ...(http.mtls
      ? {
          https: {
            cert: readFileSync(http.mtls.certFile),
            key: readFileSync(http.mtls.keyFile),
            ca: readFileSync(http.mtls.caFile),
            ...(http.mtls.crls ? { crl: [...http.mtls.crls] } : {}),
            requestCert: true,
            rejectUnauthorized: false,
            minVersion: 'TLSv1.2' as const,
            handshakeTimeout: limits.headersTimeoutMs,
            ...nodeServerOptions,
          },
        }
      : { http: nodeServerOptions }),
  });
  const fastify = adapter.getInstance();
  capConnections(fastify.server, limits, context);
  fastify.server.on('timeout', (socket: Socket) => onIdle(socket, lastPath.get(socket), context()));

  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as PoortRouteConfig | undefined)?.bodyLimit;
    if (limit === undefined) return;
    const bytes = typeof limit === 'number' ? limit : http.bodyLimits?.[limit];
    if (bytes === undefined) throw new Error(`route ${route.method} ${route.url} names body limit '${String(limit)}', which the service does not give`);
    route.bodyLimit = bytes;
  });
  fastify.addHook('onRequest', async (request) => {
    lastPath.set(request.raw.socket, request.url);
    refuseAmbiguousFraming(request);
    await context()?.admissions.admit(request);
  });
  return adapter;
}

function refuseAmbiguousFraming(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.httpVersion === '1.1' && raw.headers.host === undefined) {
    throw httpError(400, 'HTTP_AMBIGUOUS_REQUEST', 'an HTTP/1.1 request must name its Host (RFC 9112 3.2)');
  }
  if (raw.httpVersion === '1.0' && raw.headers['transfer-encoding'] !== undefined) {
    throw httpError(400, 'HTTP_AMBIGUOUS_REQUEST', 'an HTTP/1.0 request cannot use Transfer-Encoding: its framing is faulty (RFC 9112 6.1)');
  }
  const seen = new Set<string>();
  for (let index = 0; index < raw.rawHeaders.length; index += 2) {
    const name = raw.rawHeaders[index]!.toLowerCase();
    if (!SINGLETON_HEADERS.has(name)) continue;
    if (seen.has(name)) throw httpError(400, 'HTTP_AMBIGUOUS_REQUEST', `the header ${name} appears more than once`);
    seen.add(name);
  }
}

/** Node's own refusals of what it cannot parse or that took too long, with Poort's code and shape. */
function clientErrorRefusal(error: Error & { code?: string }): { status: number; code: string; message: string } | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'HTTP_REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HTTP_HEADERS_TOO_LARGE', message: 'the request headers are too large' };
    default:
      return { status: 400, code: 'HTTP_MALFORMED', message: `the request is not valid HTTP/1.1 (${error.code ?? error.message})` };
  }
}

function refuseOnSocket(error: Error & { code?: string }, socket: Socket, path: string | undefined, context: ServerContext | undefined): void {
  const refusal = clientErrorRefusal(error);
  const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!refusal || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const asError = httpError(refusal.status, refusal.code, refusal.message);
  const rendered: RenderedRefusal = context?.renderers.for(path)?.render(asError) ?? renderJsonRefusal(asError).rendered;
  context?.metrics.refusals.inc({ code: rendered.code });
  context?.logger.info({ code: rendered.code, status: rendered.status, path, client: socket.remoteAddress }, 'request refused');
  socket.write(
    `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? ''}\r\ncontent-type: ${rendered.contentType}\r\n` +
      `content-length: ${Buffer.byteLength(rendered.body)}\r\nconnection: close\r\n\r\n${rendered.body}`,
  );
  lingeringClose(socket);
}

/**
 * A connection on which nothing moved for HTTP_IDLE_TIMEOUT_MS. A request whose body stalled is told so (408) before
 * the connection closes; an idle connection between requests, or a client that stopped reading its answer, is closed;
 * a request whose body has all arrived and whose answer Poort is still working on is left alone.
 */
function onIdle(socket: Socket, path: string | undefined, context: ServerContext | undefined): void {
  const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean; req?: { complete?: boolean } } })._httpMessage;
  if (!response || response.headersSent) {
    socket.destroy();
    return;
  }
  if (response.req?.complete) return;
  refuseOnSocket(Object.assign(new Error('idle'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket, path, context);
}

/** Connections beyond the caps are closed as they come: the platform allows nothing kinder before TLS and HTTP. */
function capConnections(server: Server, limits: HttpLimits, context: () => ServerContext | undefined): void {
  const refused = (client: string | undefined) => {
    context()?.metrics.refusals.inc({ code: 'HTTP_TOO_MANY_CONNECTIONS' });
    context()?.logger.warn({ code: 'HTTP_TOO_MANY_CONNECTIONS', client }, 'connection refused');
  };
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => refused(data?.remoteAddress));
  if (limits.maxConnectionsPerClient === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const count = open.get(client) ?? 0;
    if (count >= limits.maxConnectionsPerClient) {
      refused(client);
      socket.destroy();
      return;
    }
    open.set(client, count + 1);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}
