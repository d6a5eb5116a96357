import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { FOUTCODE, type AanleverResponse } from '@poort/contracts';
import { Caller, ClientIdentityGuard, httpError } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

import { AanleverRequest } from './aanlever-request.dto.js';
import { InFlightLimiter } from './in-flight-limiter.js';
import { SubmissionRefused } from './submission-errors.js';
import { SubmissionService } from './submission.service.js';

/** REST submission: Digipoort's aanleveren as JSON over two-way TLS. */
@Controller('api/v1')
@UseGuards(ClientIdentityGuard)
export class SubmissionController {
  constructor(
    private readonly submissions: SubmissionService,
    private readonly limiter: InFlightLimiter,
  ) {}

  @Post('aanleveren')
  @HttpCode(200)
  async aanleveren(@Caller() caller: ClientIdentity, @Body() body: unknown): Promise<AanleverResponse> {
    const parsed = AanleverRequest.safeParse(body);
    if (!parsed.success) {
      throw httpError(400, FOUTCODE.interfaceSpecificatie, 'het verzoek voldoet niet aan de koppelvlakspecificatie', z.flattenError(parsed.error));
    }
    if (!this.limiter.tryAcquire()) {
      throw httpError(503, FOUTCODE.technischeFoutAanleveren, 'Poort is overbelast; probeer het later opnieuw');
    }
    try {
      return await this.submissions.submit(caller, parsed.data);
    } catch (error) {
      if (error instanceof SubmissionRefused) throw httpError(error.httpStatus, error.foutcode, error.message, error.details);
      throw error;
    } finally {
      this.limiter.release();
    }
  }
}
