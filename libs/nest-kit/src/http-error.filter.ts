import { randomUUID } from 'node:crypto';

import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Refusal, type RefusalKind } from '@poort/contracts';
import type { Logger, PoortMetrics } from '@poort/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { lingeringClose } from './lingering-close.js';
import type { RefusalRenderers, RenderedRefusal } from './refusal-renderers.js';

/** The one body shape of every HTTP error: a stable code, a message meant for the caller, and details. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  readonly errorId?: string;
}

/** The HTTP status of each kind of use-case refusal: the REST translation, made here and nowhere else. */
export const REFUSAL_HTTP_STATUS: Readonly<Record<RefusalKind, number>> = {
  invalid: 400,
  'not-found': 404,
  forbidden: 403,
  conflict: 409,
  'precondition-failed': 412,
  unprocessable: 422,
  'too-large': 413,
  'unsupported-media-type': 415,
  gone: 410,
  'range-not-satisfiable': 416,
  overloaded: 503,
};

/** An error body stays small whatever the input was: a refusal must not be a way to make Poort send megabytes. */
const MAX_MESSAGE_CHARS = 1_000;
const MAX_DETAILS_BYTES = 2_048;

/**
 * Maps errors to HTTP answers in one place, and counts and logs every refusal by its code. Paths with a renderer of
 * their own (the SOAP endpoints) are answered by it; elsewhere the body is an ErrorBody (see renderJsonRefusal). A
 * refusal before the body was read closes the connection, so that the rest of an unwanted body is never read.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly renderers: RefusalRenderers,
    private readonly metrics: PoortMetrics,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest & { clientIdentity?: { oin: string } }>();
    const json = renderJsonRefusal(error);
    const renderer = this.renderers.for(request.url);
    const rendered = renderer ? renderer.render(error) : json.rendered;
    if (json.unexpected) {
      this.logger.error({ err: error, errorId: json.errorId, path: request.url }, 'unhandled error');
    } else if (!request.url.startsWith('/health/')) {
      this.metrics.refusals.inc({ code: rendered.code });
      this.logger.info({ code: rendered.code, status: rendered.status, path: request.url, oin: request.clientIdentity?.oin }, 'request refused');
    }
    if (!request.raw.complete) closeWithoutReading(request, reply);
    else if (rendered.code === 'HTTP_AMBIGUOUS_REQUEST') void reply.header('connection', 'close');
    for (const [name, value] of Object.entries(rendered.headers ?? {})) void reply.header(name, value);
    void reply.status(rendered.status).header('content-type', rendered.contentType).send(rendered.body);
  }
}

/**
 * A refusal of a request whose body has not been read (refused on its headers, or its Content-Length over the
 * limit): answer, then close gently (not with Connection: close, which makes Node destroy the socket at once). The
 * body is never read into Poort.
 */
function closeWithoutReading(request: FastifyRequest, reply: FastifyReply): void {
  void reply.removeHeader('connection');
  const socket = request.raw.socket;
  reply.raw.once('finish', () => lingeringClose(socket));
}

/**
 * An error as Poort's JSON ErrorBody. A use case's Refusal gets the status of its kind; HttpExceptions carry an
 * ErrorBody (or get one); refusals of the HTTP framework itself (unparsable body, body too large) get HTTP_<status>;
 * anything else is a 500 with an errorId to find the logged cause, never the cause itself.
 */
export function renderJsonRefusal(error: unknown): { rendered: RenderedRefusal; unexpected: boolean; errorId?: string } {
  const status = error instanceof Refusal ? REFUSAL_HTTP_STATUS[error.kind] : statusOf(error);
  let body: unknown;
  if (error instanceof Refusal) body = { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
  else if (error instanceof HttpException) body = bodyOf(error);
  else if (status !== undefined && status >= 400 && status < 500) body = { code: `HTTP_${status}`, message: (error as Error).message };
  // A 5xx is a bug unless it was meant: an HttpException, or a use case's refusal (overloaded: 503, Poort is busy).
  if (status === undefined || body === undefined || (status >= 500 && !(error instanceof HttpException || error instanceof Refusal))) {
    const errorId = randomUUID();
    const internal: ErrorBody = { code: 'INTERNAL_ERROR', message: 'internal error', errorId };
    return { rendered: { status: 500, code: internal.code, contentType: JSON_TYPE, body: JSON.stringify(internal) }, unexpected: true, errorId };
  }
  const code = typeof (body as { code?: unknown }).code === 'string' ? (body as ErrorBody).code : `HTTP_${status}`;
  const headers = retryAfterHeader(error);
  return { rendered: { status, code, contentType: JSON_TYPE, body: JSON.stringify(isErrorBody(body) ? bounded(body) : body), ...(headers ? { headers } : {}) }, unexpected: false };
}

/** A busy answer says when to come back (RFC 9110 10.2.3), in whole seconds. */
export function retryAfterHeader(error: unknown): Record<string, string> | undefined {
  if (!(error instanceof Refusal) || error.retryAfterSeconds === undefined) return undefined;
  return { 'retry-after': String(Math.max(0, Math.ceil(error.retryAfterSeconds))) };
}

const JSON_TYPE = 'application/json; charset=utf-8';

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).code === 'string' && typeof (body as ErrorBody).message === 'string';
}

function bounded(body: ErrorBody): ErrorBody {
  const message = body.message.length > MAX_MESSAGE_CHARS ? `${body.message.slice(0, MAX_MESSAGE_CHARS)}…` : body.message;
  if (body.details === undefined) return { ...body, message };
  const details = JSON.stringify(body.details);
  if (details.length <= MAX_DETAILS_BYTES) return { ...body, message };
  const { details: _left, ...rest } = body;
  return { ...rest, message: `${message} (details left out: ${details.length} bytes)` };
}

/** The HTTP status an error asks for: Nest's exceptions and Fastify's own errors (statusCode) carry one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/**
 * Our own errors carry an ErrorBody; Nest's built-in ones ({statusCode, message}) get one; anything else, such as
 * Terminus' health report on a 503, is passed through as it is, because probes and dashboards read that shape.
 */
function bodyOf(error: HttpException): unknown {
  const response = error.getResponse();
  if (typeof response === 'object' && response !== null) {
    if ('code' in response) return response;
    if (!('statusCode' in response && 'message' in response)) return response;
  }
  const message = typeof response === 'string' ? response : String((response as { message: unknown }).message);
  return { code: `HTTP_${error.getStatus()}`, message } satisfies ErrorBody;
}

export function httpError(status: number, code: string, message: string, details?: unknown): HttpException {
  return new HttpException({ code, message, ...(details === undefined ? {} : { details }) } satisfies ErrorBody, status);
}
