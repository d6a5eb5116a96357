import { randomUUID } from 'node:crypto';

import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@poort/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { LOGGER } from './tokens.js';
import { sendWusFault, wusServiceFor } from './wus/wus-http.js';

/** The one body shape of every HTTP error: a stable code, a message meant for the caller, and details. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  readonly errorId?: string;
}

/**
 * Maps errors to HTTP answers in one place; on the WUS (SOAP) paths every refusal is a SOAP fault instead. Expected errors are HttpExceptions whose response is an ErrorBody;
 * anything else is a 500 with an errorId to find the logged cause, never the cause itself.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const wusService = wusServiceFor(host.switchToHttp().getRequest<FastifyRequest>().url);
    if (wusService) {
      const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: number }).statusCode;
      if (!(typeof status === 'number' && status < 500)) this.logger.error({ err: error }, 'unhandled error on a WUS path');
      sendWusFault(reply, wusService, error);
      return;
    }
    if (error instanceof HttpException) {
      void reply.status(error.getStatus()).send(bodyOf(error));
      return;
    }
    const fastifyStatus = (error as { statusCode?: number }).statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own refusals: body too large, unparsable JSON, wrong content type.
      const code = (error as { code?: string }).code ?? `HTTP.${fastifyStatus}`;
      void reply.status(fastifyStatus).send({ code, message: (error as Error).message } satisfies ErrorBody);
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ err: error, errorId }, 'unhandled error');
    void reply.status(500).send({ code: 'INTERNAL', message: 'internal error', errorId } satisfies ErrorBody);
  }
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
  return { code: `HTTP.${error.getStatus()}`, message } satisfies ErrorBody;
}

export function httpError(status: number, code: string, message: string, details?: unknown): HttpException {
  return new HttpException({ code, message, ...(details === undefined ? {} : { details }) } satisfies ErrorBody, status);
}
