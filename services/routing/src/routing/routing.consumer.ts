import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, FOUTCODE, STATUS, TOPICS, type Envelope } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { StageRunner } from '@poort/pipeline';

import { SubscriptionDirectory } from '../subscriptions/subscription-directory.js';
import { renditionsOf, resolveRecipients } from './route-table.js';

@Injectable()
export class RoutingConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly catalog: MessageCatalog,
    private readonly subscriptions: SubscriptionDirectory,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'routing',
      topic: TOPICS.transformed,
      technicalFailure: DEAD_LETTER_STATUS.routing,
      handle: async (event, context) => {
        const { envelope } = event;
        const { out } = context;
        const subscribed = (await this.subscriptions.forRun(context, context.tx)).get(envelope.berichtsoort);
        const deliveries = resolveRecipients(this.catalog, envelope, renditionsOf(this.catalog, event), subscribed);
        if (deliveries.length === 0) {
          out.status(envelope, { code: STATUS.afleveringMislukt, fout: { foutcode: FOUTCODE.nietAfleverbaar, foutbeschrijving: this.noRecipient(envelope) } });
          return;
        }
        for (const delivery of deliveries) {
          out.emit(TOPICS.deliveryRequested, { envelope, recipientId: delivery.recipientId, payload: delivery.payload, recipientCount: deliveries.length });
        }
        // Once per message, not per recipient: the deliveries are on their way with it.
        out.status(envelope, { code: STATUS.afleveringBezig });
      },
    });
  }

  private noRecipient(envelope: Envelope): string {
    if (this.catalog.get(envelope.berichtsoort).routing.subscribersOnly) return `geen abonnee voor ${envelope.berichtsoort} (alleen voor abonnees)`;
    return `geen ontvanger voor ${envelope.berichtsoort} en identiteitOntvanger ${envelope.identiteitOntvanger?.nummer ?? '(geen)'}`;
  }
}
