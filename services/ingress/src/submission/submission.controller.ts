import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { AanleverResponse } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { MaxBodyBytes } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';

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
  aanleveren(@Caller() caller: ClientIdentity, @IdempotencyKey() idempotencyKey: string | undefined, @Body() body: unknown): Promise<AanleverResponse> {
    return this.submissions.submit(caller, body, idempotencyKey === undefined ? {} : { idempotencyKey });
  }
}
