import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@poort/contracts';
import { StageRunner } from '@poort/pipeline';

import { ArchiveRepository } from './archive.repository.js';

/** Keeps a copy of every accepted message and of every status it passes. */
@Injectable()
export class ArchiveConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly archive: ArchiveRepository,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'archive',
      topic: TOPICS.received,
      writeIdempotently: (events, { tx }) => this.archive.storeMessages(tx, events.map((event) => event.envelope)),
    });
    this.stages.register({
      name: 'archive-statuses',
      topic: TOPICS.statusChanged,
      idempotencyKey: (status) => status.statusId,
      writeIdempotently: (statuses, { tx }) => this.archive.storeStatuses(tx, statuses),
    });
  }
}
