import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DEAD_LETTER_STATUS, InvalidEventError, TOPICS, type EventOf, type PayloadRef } from '@poort/contracts';
import { IN_MEMORY_MAX_BYTES, MessageCatalog, renditionsNeeded } from '@poort/message-types';
import { PayloadStore, inGroupsOfAtMost } from '@poort/payload-store';
import { StageRunner, type StageContext } from '@poort/pipeline';

import { renditionsOf } from './rendition.js';

type Validated = EventOf<typeof TOPICS.validated>;

/**
 * Converts content for recipients that want another format. Each rendition is stored next to the original (claim
 * check again), under its own reference; routing gives each recipient the rendition its route asks for.
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
  private async transform(events: readonly Validated[], { tx, out }: StageContext): Promise<void> {
    const typeOf = (event: Validated) => this.catalog.get(event.envelope.berichtsoort);
    const ontvangerOf = (event: Validated) => event.envelope.identiteitOntvanger?.nummer;
    const toConvert = events.filter((event) => renditionsNeeded(typeOf(event), ontvangerOf(event)).length > 0);
    for (const { envelope } of toConvert) {
      // The message types' schema keeps such types at 20 MiB; a content past it (a configuration changed meanwhile) is
      // dead-lettered at once with its reason rather than read whole into memory or retried.
      if (envelope.content.size > IN_MEMORY_MAX_BYTES) {
        throw new InvalidEventError(
          TOPICS.validated,
          `TRANSFORMATION_CONTENT_TOO_LARGE: the content of ${envelope.kenmerk} (${envelope.content.size} bytes) is larger than the ${IN_MEMORY_MAX_BYTES} bytes a transformation may read into memory`,
        );
      }
    }
    const contents = await this.payloads.readAll(toConvert.map(({ envelope }) => envelope.content));
    const converted = events.flatMap((event) => {
      const content = contents.get(event.envelope.content.id);
      if (!content) return [];
      return renditionsOf(typeOf(event), ontvangerOf(event), content, event.envelope.content.bestandsnaam).map((rendition) => ({ event, rendition }));
    });
    const stored = await this.payloads.putAll(
      tx,
      converted.map(({ rendition }) => ({ bytes: rendition.bytes, meta: { mimeType: rendition.mimeType, bestandsnaam: rendition.bestandsnaam } })),
    );
    const renditionsOfEvent = new Map<Validated, Record<string, PayloadRef>>();
    converted.forEach(({ event, rendition }, index) => {
      renditionsOfEvent.set(event, { ...renditionsOfEvent.get(event), [rendition.name]: stored[index]! });
    });
    for (const event of events) {
      const renditions = renditionsOfEvent.get(event);
      const type = typeOf(event);
      // `transformed` is kept beside `renditions` for routing processes that know only the type's own rendition.
      const transformed = renditions && type.transformation !== 'none' ? renditions[type.transformation] : undefined;
      out.emit(TOPICS.transformed, { envelope: event.envelope, ...(transformed ? { transformed } : {}), ...(renditions ? { renditions } : {}) });
    }
  }
}
