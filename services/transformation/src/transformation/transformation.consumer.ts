import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, TOPICS, type EventOf } from '@poort/contracts';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type StageContext } from '@poort/pipeline';

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
      handleAll: async (events, context) => {
        for (const group of inGroupsOfAtMost(events, ({ envelope }) => envelope.content.size)) await this.transform(group, context);
      },
    });
  }

  /** A group of the run's events, whose contents are read, and renditions stored, at once. */
  private async transform(events: readonly EventOf<typeof TOPICS.validated>[], { tx, out }: StageContext): Promise<void> {
    const typeOf = (event: EventOf<typeof TOPICS.validated>) => this.catalog.get(event.envelope.berichtsoort);
    const contents = await this.payloads.readAll(events.filter((event) => typeOf(event).transformation !== 'none').map(({ envelope }) => envelope.content));
    const converted = events.flatMap((event) => {
      const content = contents.get(event.envelope.content.id);
      const rendition = content && renditionOf(typeOf(event), content, event.envelope.content.bestandsnaam);
      return rendition ? [{ event, rendition }] : [];
    });
    const stored = await this.payloads.putAll(
      tx,
      converted.map(({ rendition }) => ({ bytes: rendition.bytes, meta: { mimeType: rendition.mimeType, bestandsnaam: rendition.bestandsnaam } })),
    );
    const transformedOf = new Map(converted.map(({ event }, index) => [event, stored[index]!]));
    for (const event of events) {
      const transformed = transformedOf.get(event);
      out.emit(TOPICS.transformed, { envelope: event.envelope, ...(transformed ? { transformed } : {}) });
    }
  }
}
