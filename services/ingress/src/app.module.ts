import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { Operators, clientIdentityProviders, operatorProviders, wusEndpoint, type ClientIdentitySource } from '@poort/nest-edge';
import { DB_POOL, LOGGER, PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import { AANLEVER_SERVICE } from '@poort/wus';

import { BulkStatusService } from './bulk/bulk-status.service.js';
import { BulkSubmissionService, type BulkLimits } from './bulk/bulk-submission.service.js';
import { BULK_LIMITS, BulkController, NdjsonBodyParser } from './bulk/bulk.controller.js';
import { BulksRepository } from './bulk/bulks.repository.js';
import type { IngressConfig } from './config.js';
import { InFlightLimiter } from './submission/in-flight-limiter.js';
import { MessagesRepository } from './submission/messages.repository.js';
import { SubmissionKeysRepository } from './submission/submission-keys.repository.js';
import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';
import { aanleverenHandler } from './wus/aanleveren.wus-handler.js';

/**
 * At low rates each submission commits alone and hands its three events to the relay alone: waiting 20 ms lets the
 * events of several submissions share a produce request and a delete. The receipt does not wait for it.
 */
const OUTBOX_LINGER_MS = 20;

@Module({})
export class AppModule {
  static forRoot(config: IngressConfig, identitySource: ClientIdentitySource): DynamicModule {
    const wus = wusEndpoint({
      service: AANLEVER_SERVICE,
      config,
      maxRequestBytes: config.INGRESS_MAX_BODY_BYTES,
      handlers: { inject: [SubmissionService], useFactory: (submissions: SubmissionService) => ({ aanleveren: aanleverenHandler(submissions) }) },
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forService({ ...platformOptionsFromEnv('ingress', config), outboxLingerMs: OUTBOX_LINGER_MS })],
      controllers: [SubmissionController, BulkController, ...(wus ? [wus.controller] : [])],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        ...clientIdentityProviders(identitySource),
        poolBacked(PayloadStore),
        poolBacked(MessagesRepository),
        {
          provide: SubmissionService,
          inject: [UnitOfWork, MessageCatalog, PayloadStore, MessagesRepository],
          useFactory: (unitOfWork: UnitOfWork, catalog: MessageCatalog, payloads: PayloadStore, messages: MessagesRepository) =>
            new SubmissionService(
              unitOfWork,
              catalog,
              payloads,
              messages,
              new SubmissionKeysRepository(config.INGRESS_IDEMPOTENCY_WINDOW_MS),
              new InFlightLimiter(config.INGRESS_MAX_IN_FLIGHT),
            ),
        },
        ...operatorProviders(Operators.fromConfig(config)),
        { provide: BulksRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new BulksRepository(pool, config.INGRESS_BULK_RETENTION_MS) },
        NdjsonBodyParser,
        {
          provide: BULK_LIMITS,
          useValue: {
            maxItems: config.INGRESS_BULK_MAX_ITEMS,
            maxLineBytes: config.INGRESS_BULK_MAX_LINE_BYTES,
            maxTotalBytes: config.INGRESS_BULK_MAX_BYTES,
            concurrency: config.INGRESS_BULK_CONCURRENCY,
          },
        },
        {
          provide: BulkSubmissionService,
          inject: [SubmissionService, BulksRepository, BULK_LIMITS, LOGGER],
          useFactory: (submissions: SubmissionService, bulks: BulksRepository, limits: BulkLimits, logger: Logger) =>
            new BulkSubmissionService(submissions, bulks, limits, ({ bulkId, index, error }) => logger.error({ err: error, bulkId, index }, 'bulk item failed')),
        },
        {
          provide: BulkStatusService,
          inject: [BulksRepository, Operators],
          useFactory: (bulks: BulksRepository, operators: Operators) => new BulkStatusService(bulks, operators),
        },
        ...(wus?.providers ?? []),
      ],
    };
  }
}
