import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, STATUS, TOPICS } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { StageRunner } from '@poort/pipeline';

import { decide } from './sender-policy.js';

@Injectable()
export class AuthorizationConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly catalog: MessageCatalog,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'authorization',
      topic: TOPICS.received,
      technicalFailure: DEAD_LETTER_STATUS.authorization,
      handle: async ({ envelope }, { out }) => {
        const decision = decide(this.catalog, envelope);
        if (!decision.allowed) {
          out.status(envelope, { code: STATUS.nietGeautoriseerd, details: decision.reason });
          return;
        }
        out.status(envelope, { code: STATUS.geautoriseerd });
        out.emit(TOPICS.authorized, { envelope });
      },
    });
  }
}
