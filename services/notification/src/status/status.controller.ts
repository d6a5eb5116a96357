import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import { FOUTCODE, Refusal, type StatusResultaat } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import { ApiRefusals, REFUSAL_HTTP_STATUS, jsonSchemaOf } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';
import { z } from 'zod';

import type { RetourAfzender } from '../returned/returned-messages.repository.js';
import { RetourAfzenderSchema } from '../returned/retour-afzender.schema.js';
import { StatusResultaatSchema } from './status-resultaat.schema.js';
import { StatusInformationService } from './status-information.service.js';

/** An xs:dateTime as the koppelvlak has it (ISO 8601 with a zone offset), or an xs:date; nothing looser. */
const DateTimeParameter = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const DATE_TIME_PARAMETER = jsonSchemaOf(DateTimeParameter, 'input');
const KENMERK = { name: 'kenmerk', description: 'the kenmerk Poort gave the submission', schema: { type: 'string', maxLength: 40 } } as const;
const STATUSSEN = { type: 'array', items: jsonSchemaOf(StatusResultaatSchema) };

/**
 * The status service over REST, mirroring Digipoort's statusinformatieservice: a sender sees the statuses of the
 * processes it submitted, identified by the OIN of its client certificate. Refusals become HTTP answers in the
 * error filter.
 */
@Controller('api/v1')
export class StatusController {
  constructor(private readonly statuses: StatusInformationService) {}

  /** getStatussenProces */
  @Get('processen/:kenmerk/statussen')
  @RequireClient()
  @ApiOperation({ operationId: 'getStatussenProces', summary: 'The statuses of a process this sender submitted' })
  @ApiParam(KENMERK)
  @ApiQuery({ name: 'tijdstempelVanaf', required: false, schema: DATE_TIME_PARAMETER })
  @ApiQuery({ name: 'tijdstempelTot', required: false, schema: DATE_TIME_PARAMETER })
  @ApiOkResponse({ schema: STATUSSEN })
  @ApiRefusals(REFUSAL_HTTP_STATUS.invalid, 401, REFUSAL_HTTP_STATUS['not-found'])
  statussen(
    @Caller() caller: ClientIdentity,
    @Param('kenmerk') kenmerk: string,
    @Query('tijdstempelVanaf') vanaf?: string,
    @Query('tijdstempelTot') tot?: string,
  ): Promise<StatusResultaat[]> {
    return this.statuses.statussenProces(caller, kenmerk, { ...optionalDate('tijdstempelVanaf', vanaf, 'vanaf'), ...optionalDate('tijdstempelTot', tot, 'tot') });
  }

  /** getNieuweStatussenProces: only what this certificate has not fetched before. */
  @Get('processen/:kenmerk/statussen/nieuw')
  @RequireClient()
  @ApiOperation({ operationId: 'getNieuweStatussenProces', summary: 'The statuses of a process this certificate has not fetched before' })
  @ApiParam(KENMERK)
  @ApiOkResponse({ schema: STATUSSEN })
  @ApiRefusals(REFUSAL_HTTP_STATUS.invalid, 401, REFUSAL_HTTP_STATUS['not-found'])
  nieuweStatussen(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string): Promise<StatusResultaat[]> {
    return this.statuses.nieuweStatussenProces(caller, kenmerk);
  }

  /** Retour afzender: messages of this sender that could not be delivered, with the reason. */
  @Get('retour-afzender')
  @RequireClient()
  @ApiOperation({ operationId: 'getRetourAfzender', summary: 'Messages of this sender that could not be delivered, with the reason' })
  @ApiQuery({ name: 'vanaf', required: false, schema: DATE_TIME_PARAMETER })
  @ApiOkResponse({ schema: { type: 'array', items: jsonSchemaOf(RetourAfzenderSchema) } })
  @ApiRefusals(REFUSAL_HTTP_STATUS.invalid, 401)
  retourAfzender(@Caller() caller: ClientIdentity, @Query('vanaf') vanaf?: string): Promise<RetourAfzender[]> {
    return this.statuses.retourAfzender(caller, optionalDate('vanaf', vanaf, 'at').at);
  }
}


function optionalDate<K extends string>(name: string, value: string | undefined, key: K): Partial<Record<K, Date>> {
  if (value === undefined) return {};
  if (!DateTimeParameter.safeParse(value).success) {
    throw new Refusal(FOUTCODE.statusverzoekOngeldig, 'invalid', `${name} is geen geldige datum-tijd (ISO 8601): ${JSON.stringify(value.slice(0, 40))}`);
  }
  return { [key]: new Date(value) } as Partial<Record<K, Date>>;
}
