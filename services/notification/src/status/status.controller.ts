import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { StatusResultaat } from '@poort/contracts';
import { Caller, ClientIdentityGuard, httpError } from '@poort/nest-kit';
import type { ClientIdentity } from '@poort/pki';

import { ReturnedMessagesRepository, type RetourAfzender } from '../returned/returned-messages.repository.js';
import { StatusHistoryRepository } from './status-history.repository.js';

/**
 * The status service over REST, mirroring Digipoort's statusinformatieservice: a sender sees the statuses of
 * the processes it submitted, identified by the OIN of its client certificate.
 */
@Controller('api/v1')
@UseGuards(ClientIdentityGuard)
export class StatusController {
  constructor(
    private readonly history: StatusHistoryRepository,
    private readonly returned: ReturnedMessagesRepository,
  ) {}

  /** getStatussenProces */
  @Get('processen/:kenmerk/statussen')
  async statussen(
    @Caller() caller: ClientIdentity,
    @Param('kenmerk') kenmerk: string,
    @Query('tijdstempelVanaf') vanaf?: string,
    @Query('tijdstempelTot') tot?: string,
  ): Promise<StatusResultaat[]> {
    const window = { ...optionalDate('tijdstempelVanaf', vanaf, 'vanaf'), ...optionalDate('tijdstempelTot', tot, 'tot') };
    const statuses = await this.history.list(caller.oin, kenmerk, window);
    if (statuses.length === 0 && !(await this.history.isKnownTo(caller.oin, kenmerk))) throw unknownProcess(kenmerk);
    return statuses;
  }

  /** getNieuweStatussenProces: only what this certificate has not fetched before. */
  @Get('processen/:kenmerk/statussen/nieuw')
  async nieuweStatussen(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string): Promise<StatusResultaat[]> {
    if (!(await this.history.isKnownTo(caller.oin, kenmerk))) throw unknownProcess(kenmerk);
    return this.history.fetchNew(caller.oin, caller.fingerprintSha256, kenmerk);
  }

  /** Retour afzender: messages of this sender that could not be delivered, with the reason. */
  @Get('retour-afzender')
  async retourAfzender(@Caller() caller: ClientIdentity, @Query('vanaf') vanaf?: string): Promise<RetourAfzender[]> {
    return this.returned.forSender(caller.oin, optionalDate('vanaf', vanaf, 'at').at);
  }
}

function optionalDate<K extends string>(name: string, value: string | undefined, key: K): Partial<Record<K, Date>> {
  if (value === undefined) return {};
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw httpError(400, 'STS100', `${name} is not a valid date-time: ${value}`);
  return { [key]: date } as Partial<Record<K, Date>>;
}

/** Someone else's process and a process that does not exist look the same: nothing leaks. */
function unknownProcess(kenmerk: string) {
  return httpError(404, 'STS100', `no process with kenmerk ${kenmerk} for this sender`);
}
