import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { FOUTCODE, Foutmelding, Refusal } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { MaxBodyBytes } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

import { RecipientStatusService, type RecipientStatusAnswer } from './recipient-status.service.js';

/** A report is small (its texts at most MAX_REPORT_TEXT_BYTES): a larger body is refused before it is read. */
export const MAX_RECIPIENT_STATUS_BYTES = 1024 * 1024;

/** zetStatusRequest as JSON, the kenmerk in the path: the fields and limits of the koppelvlak XSD. */
const OntvangerStatusBody = z.strictObject({
  berichtkenmerk: z.string().min(1).max(256).optional(),
  statuscode: z.string().min(1).max(20),
  tijdstempelStatus: z.iso.datetime({ offset: true }),
  statusFoutcode: z.strictObject(Foutmelding.shape).optional(),
  statusdetails: z.string().max(1_048_576).optional(),
});

/**
 * A recipient's own processing result over REST, the twin of WUS zetStatus: `PUT` because setting it twice is setting
 * it once. The caller is the OIN of its client certificate; refusals become HTTP answers in the error filter (400,
 * 403 not its message, 404 unknown, 409 not delivered yet or a different status reported before).
 */
@Controller('api/v1')
export class RecipientStatusController {
  constructor(private readonly statuses: RecipientStatusService) {}

  @Put('berichten/:kenmerk/ontvangerstatus')
  @HttpCode(200)
  @RequireClient()
  @MaxBodyBytes(MAX_RECIPIENT_STATUS_BYTES)
  zetStatus(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string, @Body() body: unknown): Promise<RecipientStatusAnswer> {
    const parsed = OntvangerStatusBody.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ veld: issue.path.join('.') || '(verzoek)', fout: issue.message.slice(0, 200) }));
      throw new Refusal(
        FOUTCODE.afleververzoekOngeldig,
        'invalid',
        `het verzoek voldoet niet aan de koppelvlakspecificatie: ${issues.map((issue) => `${issue.veld}: ${issue.fout}`).join('; ')}`,
        { issues },
      );
    }
    return this.statuses.zetStatus(caller, { kenmerk, ...parsed.data, tijdstempelStatus: new Date(parsed.data.tijdstempelStatus) });
  }
}
