import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, TOPICS } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { StageRunner } from '@poort/pipeline';

import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryWorker } from './delivery.worker.js';

/** Takes delivery requests into the durable schedule (routing reported 405 with them); the worker does the attempts. */
@Injectable()
export class DeliveryConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly catalog: MessageCatalog,
    private readonly deliveries: DeliveriesRepository,
    private readonly worker: DeliveryWorker,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'delivery',
      topic: TOPICS.deliveryRequested,
      idempotencyKey: (event) => `${event.envelope.kenmerk}:${event.recipientId}`,
      technicalFailure: DEAD_LETTER_STATUS.delivery,
      // A delivery that exists already stays as it is (ON CONFLICT DO NOTHING): a repeated request changes nothing.
      writeIdempotently: async (events, { tx }) => {
        const now = Date.now();
        const rows = events.map((event) => {
          const type = this.catalog.get(event.envelope.berichtsoort);
          const recipient = this.catalog.recipient(event.recipientId); // an unknown recipient is a poison event, not a silent drop
          const retryWindow = recipient.retryWindow ?? type.delivery.retryWindow;
          return {
            kenmerk: event.envelope.kenmerk,
            recipientId: event.recipientId,
            recipientCount: event.recipientCount,
            envelope: event.envelope,
            payload: event.payload,
            deadline: new Date(now + retryWindow),
          };
        });
        await this.deliveries.insert(tx, rows);
      },
      afterCommit: () => this.worker.kick(),
    });
  }
}
