import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@poort/contracts';
import { StageRunner } from '@poort/pipeline';

import { ReturnedMessagesRepository } from '../returned/returned-messages.repository.js';
import { StatusHistoryRepository } from './status-history.repository.js';

@Injectable()
export class StatusConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly history: StatusHistoryRepository,
    private readonly returned: ReturnedMessagesRepository,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'notification',
      topic: TOPICS.statusChanged,
      idempotencyKey: (status) => status.statusId,
      writeIdempotently: (statuses, { tx }) => this.history.append(tx, statuses),
    });
    this.stages.register({
      name: 'notification-returned',
      topic: TOPICS.returnedToSender,
      idempotencyKey: (event) => event.eventId,
      handle: (event, { tx }) => this.returned.store(tx, event),
    });
  }
}
