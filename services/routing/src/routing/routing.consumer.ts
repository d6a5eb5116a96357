import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, FOUTCODE, STATUS, TOPICS } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { StageRunner } from '@poort/pipeline';

import { resolveRecipients } from './route-table.js';

@Injectable()
export class RoutingConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly catalog: MessageCatalog,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'routing',
      topic: TOPICS.transformed,
      technicalFailure: DEAD_LETTER_STATUS.routing,
      handle: async ({ envelope, transformed }, { out }) => {
        const deliveries = resolveRecipients(this.catalog, envelope, transformed);
        if (deliveries.length === 0) {
          const ontvanger = envelope.identiteitOntvanger?.nummer ?? '(geen)';
          out.status(envelope, {
            code: STATUS.afleveringMislukt,
            fout: { foutcode: FOUTCODE.nietAfleverbaar, foutbeschrijving: `geen ontvanger voor ${envelope.berichtsoort} en identiteitOntvanger ${ontvanger}` },
          });
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
}
