import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AanleverResponse } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { ApiRefusals, MaxBodyBytes, REFUSAL_HTTP_STATUS, jsonSchemaOf } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';

import { AanleverRequest } from './aanlever-request.dto.js';
import { AanleverResponseSchema } from './aanlever-response.schema.js';
import { IdempotencyKey } from './idempotency-key.js';
import { SubmissionService } from './submission.service.js';

/** The body limit of a submission, from INGRESS_MAX_BODY_BYTES (see main.ts). */
export const SUBMISSION_BODY_LIMIT = 'submission';

/**
 * REST submission: Digipoort's aanleveren as JSON over two-way TLS. Refusals become HTTP answers in the error filter.
 * An optional Idempotency-Key header makes a resubmission safe even without an aanleverkenmerk (see SubmissionService).
 */
@Controller('api/v1')
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

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
  aanleveren(@Caller() caller: ClientIdentity, @IdempotencyKey() idempotencyKey: string | undefined, @Body() body: unknown): Promise<AanleverResponse> {
    return this.submissions.submit(caller, body, idempotencyKey === undefined ? {} : { idempotencyKey });
  }
}
