import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { FOUTCODE, Refusal, type StatusResultaat } from '@poort/contracts';
import { Caller, ClientIdentityGuard } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

import type { RetourAfzender } from '../returned/returned-messages.repository.js';
import { StatusInformationService } from './status-information.service.js';

/**
 * The status service over REST, mirroring Digipoort's statusinformatieservice: a sender sees the statuses of the
 * processes it submitted, identified by the OIN of its client certificate. Refusals become HTTP answers in the
 * error filter.
 */
@Controller('api/v1')
@UseGuards(ClientIdentityGuard)
export class StatusController {
  constructor(private readonly statuses: StatusInformationService) {}

  /** getStatussenProces */
  @Get('processen/:kenmerk/statussen')
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
  nieuweStatussen(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string): Promise<StatusResultaat[]> {
    return this.statuses.nieuweStatussenProces(caller, kenmerk);
  }

  /** Retour afzender: messages of this sender that could not be delivered, with the reason. */
  @Get('retour-afzender')
  retourAfzender(@Caller() caller: ClientIdentity, @Query('vanaf') vanaf?: string): Promise<RetourAfzender[]> {
    return this.statuses.retourAfzender(caller, optionalDate('vanaf', vanaf, 'at').at);
  }
}

function optionalDate<K extends string>(name: string, value: string | undefined, key: K): Partial<Record<K, Date>> {
  if (value === undefined) return {};
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Refusal(FOUTCODE.statusverzoekOngeldig, 'invalid', `${name} is geen geldige datum-tijd: ${value}`);
  return { [key]: date } as Partial<Record<K, Date>>;
}
