import { PassThrough, type Readable } from 'node:stream';

import { Controller, Get, HttpCode, Inject, Injectable, Param, Post, Query, Req, Res, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery } from '@nestjs/swagger';
import { FOUTCODE, Refusal } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { ApiRefusals, LOGGER, httpError, REFUSAL_HTTP_STATUS, jsonSchemaOf } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import type { ClientIdentity } from '@poort/pki';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AanleverRequest } from '../submission/aanlever-request.dto.js';
import { BulkAnswerLine, BulkStatus } from './bulk-answers.js';
import { BULK_STATUS_PAGE, BulkStatusService, bulkPage } from './bulk-status.service.js';
import { BulkSubmissionService, type BulkLimits } from './bulk-submission.service.js';

export const NDJSON = 'application/x-ndjson';
export const BULK_LIMITS = Symbol('BULK_LIMITS');

/**
 * Hands an NDJSON body to its route as the stream it is: never buffered, never parsed by Fastify (which would also
 * hold it to HTTP_DEFAULT_BODY_LIMIT_BYTES); the route reads it line by line under its own limits.
 */
@Injectable()
export class NdjsonBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(NDJSON, (request, payload, done) => {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        done(httpError(415, 'HTTP_CHARSET_UNSUPPORTED', `NDJSON is accepted in UTF-8 only, not in ${charset}`), undefined);
        return;
      }
      done(null, payload);
    });
  }
}

const ITEM_BODY = { ...jsonSchemaOf(AanleverRequest, 'input'), description: 'one line of the body: the JSON body of a single aanleveren, on one line' };
const ANSWER_LINE = { ...jsonSchemaOf(BulkAnswerLine), description: 'one line of the answer: an item (index, kenmerk or fout) in input order, and last the samenvatting' };

/**
 * Bulk aanleveren (docs/bulk.md): many submissions in one NDJSON request, answered line by line while it streams in,
 * and the bulk's status afterwards. Same client identity as POST /api/v1/aanleveren.
 */
@Controller('api/v1')
export class BulkController {
  constructor(
    private readonly submissions: BulkSubmissionService,
    private readonly statuses: BulkStatusService,
    @Inject(BULK_LIMITS) private readonly limits: BulkLimits,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('bulk')
  @HttpCode(200)
  @RequireClient()
  @ApiOperation({
    operationId: 'bulkAanleveren',
    summary: 'Submit many messages in one NDJSON stream; each line is answered (kenmerk or refusal) as it is stored',
  })
  @ApiConsumes(NDJSON)
  @ApiBody({ schema: ITEM_BODY })
  @ApiProduces(NDJSON)
  @ApiOkResponse({
    description: 'NDJSON: one line per item in input order, then the summary; Location names the bulk',
    headers: { Location: { description: '/api/v1/bulk/{bulkId}', schema: { type: 'string' } } },
    content: { [NDJSON]: { schema: ANSWER_LINE } },
  })
  @ApiRefusals(401, REFUSAL_HTTP_STATUS['too-large'], REFUSAL_HTTP_STATUS['unsupported-media-type'])
  async bulk(@Caller() caller: ClientIdentity, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > this.limits.maxTotalBytes) {
      throw new Refusal(FOUTCODE.interfaceSpecificatie, 'too-large', `de bulk is groter dan ${this.limits.maxTotalBytes} bytes`);
    }
    if (!isStream(request.body)) throw new Refusal(FOUTCODE.interfaceSpecificatie, 'unsupported-media-type', `een bulk is ${NDJSON}`);
    const run = await this.submissions.start(caller, request.body);
    // Answers are written as they come, without waiting for the client to read them: a client that reads only after
    // sending gets them buffered here (at most a line per item, up to INGRESS_BULK_MAX_ITEMS), rather than a deadlock.
    const out = new PassThrough();
    void reply.status(200).header('content-type', NDJSON).header('location', `/api/v1/bulk/${run.bulkId}`).send(out);
    try {
      for await (const line of run.answers) out.write(`${JSON.stringify(line)}\n`);
    } catch (error) {
      // The client went away, or the database did: what was answered stays; no summary tells the client it broke off.
      this.logger.warn({ err: error, bulkId: run.bulkId, oin: caller.oin }, 'bulk ended without its summary');
    }
    out.end();
  }

  @Get('bulk/:bulkId')
  @RequireClient()
  @ApiOperation({ operationId: 'getBulkStatus', summary: 'Every item of a bulk with its kenmerk or refusal and its current status' })
  @ApiParam({ name: 'bulkId', description: 'the bulkId of the bulk answer (Location, samenvatting)', schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'vanaf', required: false, description: 'the first index of the page (default 0)', schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'aantal', required: false, description: `items per page (default and at most ${BULK_STATUS_PAGE})`, schema: { type: 'integer', minimum: 1, maximum: BULK_STATUS_PAGE } })
  @ApiOkResponse({ schema: jsonSchemaOf(BulkStatus) })
  @ApiRefusals(REFUSAL_HTTP_STATUS.invalid, 401, REFUSAL_HTTP_STATUS['not-found'])
  status(@Caller() caller: ClientIdentity, @Param('bulkId') bulkId: string, @Query('vanaf') vanaf?: string, @Query('aantal') aantal?: string): Promise<BulkStatus> {
    return this.statuses.status(caller, bulkId, bulkPage(vanaf, aantal));
  }
}

const isStream = (body: unknown): body is Readable => typeof (body as Readable | undefined)?.[Symbol.asyncIterator] === 'function';
