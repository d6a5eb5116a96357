import { randomUUID } from 'node:crypto';
import { parse } from 'node:path';

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type PayloadRef } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore } from '@poort/payload-store';
import { StageRunner } from '@poort/pipeline';
import { transformations } from '@poort/transforms';

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
      handle: async ({ envelope }, { tx, out }) => {
        const name = this.catalog.get(envelope.berichtsoort).transformation;
        let transformed: PayloadRef | undefined;
        if (name !== 'none') {
          const result = transformations[name](await this.payloads.read(envelope.content));
          const bestandsnaam = `${parse(envelope.content.bestandsnaam).name}.${result.fileExtension}`.slice(-80);
          transformed = await this.payloads.put(tx, result.bytes, { mimeType: result.mimeType, bestandsnaam });
        }
        out.emit(TOPICS.transformed, {
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
          envelope,
          ...(transformed ? { transformed } : {}),
        });
      },
    });
  }
}
