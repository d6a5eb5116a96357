import { randomUUID } from 'node:crypto';

import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Refusal, type RefusalKind } from '@poort/contracts';
import type { Logger } from '@poort/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { RefusalRenderers } from './refusal-renderers.js';

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
  'too-large': 413,
  'unsupported-media-type': 415,
  overloaded: 503,
};

/**
 * Maps errors to HTTP answers in one place. A use case's Refusal gets the status of its kind; other expected errors
 * are HttpExceptions whose response is an ErrorBody; refusals of the HTTP framework itself (unparsable body, body
 * too large) get HTTP_<status>; anything else is a 500 with an errorId to find the logged cause, never the cause
 * itself. Paths with a renderer of their own (the SOAP endpoints) are answered by it.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly renderers: RefusalRenderers,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = statusOf(error);
    const renderer = this.renderers.for(host.switchToHttp().getRequest<FastifyRequest>().url);
    if (renderer) {
      if (status === undefined || status >= 500) this.logger.error({ err: error }, 'unhandled error on a path with its own refusal shape');
      renderer.render(reply, error);
      return;
    }
    if (error instanceof Refusal) {
      const body: ErrorBody = { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
      void reply.status(REFUSAL_HTTP_STATUS[error.kind]).send(body);
      return;
    }
    if (error instanceof HttpException) {
      void reply.status(error.getStatus()).send(bodyOf(error));
      return;
    }
    if (status !== undefined && status >= 400 && status < 500) {
      void reply.status(status).send({ code: `HTTP_${status}`, message: (error as Error).message } satisfies ErrorBody);
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ err: error, errorId }, 'unhandled error');
    void reply.status(500).send({ code: 'INTERNAL_ERROR', message: 'internal error', errorId } satisfies ErrorBody);
  }
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
