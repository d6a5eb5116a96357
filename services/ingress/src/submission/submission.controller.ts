import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { AanleverResponse } from '@poort/contracts';
import { Caller, ClientIdentityGuard } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

import { SubmissionService } from './submission.service.js';

/** REST submission: Digipoort's aanleveren as JSON over two-way TLS. Refusals become HTTP answers in the error filter. */
@Controller('api/v1')
@UseGuards(ClientIdentityGuard)
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

  @Post('aanleveren')
  @HttpCode(200)
  aanleveren(@Caller() caller: ClientIdentity, @Body() body: unknown): Promise<AanleverResponse> {
    return this.submissions.submit(caller, body);
  }
}
