import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AanleverResponse } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { ApiRefusals, MaxBodyBytes, REFUSAL_HTTP_STATUS, jsonSchemaOf } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';
import type { FastifyRequest } from 'fastify';

import { AanleverRequest } from './aanlever-request.dto.js';
import { AanleverResponseSchema } from './aanlever-response.schema.js';
import { IdempotencyKey } from './idempotency-key.js';
import { StreamedAanleverBody } from './streamed-body.js';
import { SubmissionService } from './submission.service.js';

/** The body limit of a submission, from INGRESS_MAX_BODY_BYTES (see main.ts). */
export const SUBMISSION_BODY_LIMIT = 'submission';

/** The route of REST aanleveren, whose large bodies are read as they arrive (StreamedAanleverBody). */
export const AANLEVEREN_PATH = '/api/v1/aanleveren';

/**
 * REST submission: Digipoort's aanleveren as JSON over two-way TLS. Refusals become HTTP answers in the error filter.
 * An optional Idempotency-Key header makes a resubmission safe even without an aanleverkenmerk (see SubmissionService).
 * A large body (INGRESS_STREAMED_BODY_FROM_BYTES) is read as it arrives, its files decoded into the payload store.
 */
@Controller('api/v1')
export class SubmissionController {
  constructor(
    private readonly submissions: SubmissionService,
    private readonly streamedBody: StreamedAanleverBody,
  ) {}

  @Post('aanleveren')
  @HttpCode(200)
  @RequireClient()
  @MaxBodyBytes(SUBMISSION_BODY_LIMIT)
  @ApiOperation({ operationId: 'aanleveren', summary: 'Submit a message (Digipoort aanleveren); the receipt comes once it is stored' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'makes a resubmission safe without an aanleverkenmerk: 1–255 printable ASCII characters' })
  @ApiBody({ schema: jsonSchemaOf(AanleverRequest, 'input') })
  @ApiOkResponse({ description: 'the aanleverResponse: stored, with its kenmerk', schema: jsonSchemaOf(AanleverResponseSchema) })
  @ApiRefusals(
    REFUSAL_HTTP_STATUS.invalid,
    401,
    REFUSAL_HTTP_STATUS['too-large'],
    REFUSAL_HTTP_STATUS['unsupported-media-type'],
    REFUSAL_HTTP_STATUS.overloaded,
  )
  aanleveren(
    @Caller() caller: ClientIdentity,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<AanleverResponse> {
    const options = idempotencyKey === undefined ? {} : { idempotencyKey };
    if (this.streamedBody.isStreamed(request)) return this.submissions.submitStreamed(caller, (openSink) => this.streamedBody.read(request, openSink), options);
    return this.submissions.submit(caller, body, options);
  }
}
