import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, TOPICS } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore } from '@poort/payload-store';
import { StageRunner } from '@poort/pipeline';

import { renditionOf } from './rendition.js';

/**
 * Converts content for recipients that want another format. The converted rendition is stored next to the
 * original (claim check again); routing gives each recipient the rendition its route asks for.
 */
@Injectable()
export class TransformationConsumer implements OnModuleInit {
  constructor(
    private readonly stages: StageRunner,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
  ) {}

  onModuleInit(): void {
    this.stages.register({
      name: 'transformation',
      topic: TOPICS.validated,
      technicalFailure: DEAD_LETTER_STATUS.transformation,
      handle: async ({ envelope }, { tx, out }) => {
        const type = this.catalog.get(envelope.berichtsoort);
        const rendition = type.transformation === 'none' ? undefined : renditionOf(type, await this.payloads.read(envelope.content), envelope.content.bestandsnaam);
        const transformed = rendition ? await this.payloads.put(tx, rendition.bytes, { mimeType: rendition.mimeType, bestandsnaam: rendition.bestandsnaam }) : undefined;
        out.emit(TOPICS.transformed, { envelope, ...(transformed ? { transformed } : {}) });
      },
    });
  }
}
