import { Module, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MessageCatalog } from '@poort/message-types';
import { clientIdentityProviders, wusEndpoint, type ClientIdentitySource } from '@poort/nest-edge';
import { KafkaBus } from '@poort/kafka';
import type { Pool } from '@poort/message-state';
import { DB_POOL, LOGGER, PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import { AANLEVER_SERVICE } from '@poort/wus';

import { BulkController } from './bulk/bulk.controller.js';
import { bulkProviders } from './bulk/bulk.providers.js';
import { ChainLoadMetrics } from './chain-load/chain-load.metrics.js';
import { ChainLoadSampler } from './chain-load/chain-load.sampler.js';
import { loadLimitsOf, type IngressConfig } from './config.js';
import { GroteBerichtenController } from './grote-berichten/grote-berichten.controller.js';
import { groteBerichtenProviders } from './grote-berichten/grote-berichten.providers.js';
import { InFlightLimiter } from './submission/in-flight-limiter.js';
import { SubmissionAdmission } from './submission/submission-admission.js';
import { MessagesRepository } from './submission/messages.repository.js';
import { SubmissionKeysRepository } from './submission/submission-keys.repository.js';
import { StreamedAanleverBody } from './submission/streamed-body.js';
import { AANLEVEREN_PATH, SubmissionController } from './submission/submission.controller.js';
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
      controllers: [SubmissionController, BulkController, GroteBerichtenController, ...(wus ? [wus.controller] : [])],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        ...clientIdentityProviders(identitySource),
        poolBacked(PayloadStore),
        poolBacked(MessagesRepository),
        ChainLoadMetrics,
        {
          provide: ChainLoadSampler,
          inject: [KafkaBus, DB_POOL, LOGGER, ChainLoadMetrics],
          useFactory: (bus: KafkaBus, pool: Pool, logger: Logger, metrics: ChainLoadMetrics) =>
            new ChainLoadSampler({ lags: bus, db: pool, limits: loadLimitsOf(config), intervalMs: config.INGRESS_BUSY_SAMPLE_INTERVAL_MS, logger, metrics }),
        },
        {
          provide: SubmissionAdmission,
          inject: [ChainLoadSampler, ChainLoadMetrics],
          useFactory: (chain: ChainLoadSampler, metrics: ChainLoadMetrics) =>
            new SubmissionAdmission(new InFlightLimiter(config.INGRESS_MAX_IN_FLIGHT), chain, (reason) => metrics.busyRefusals.inc({ reason })),
        },
        {
          provide: SubmissionService,
          inject: [UnitOfWork, MessageCatalog, PayloadStore, MessagesRepository, SubmissionAdmission],
          useFactory: (unitOfWork: UnitOfWork, catalog: MessageCatalog, payloads: PayloadStore, messages: MessagesRepository, admission: SubmissionAdmission) =>
            new SubmissionService(
              unitOfWork,
              catalog,
              payloads,
              messages,
              new SubmissionKeysRepository(config.INGRESS_IDEMPOTENCY_WINDOW_MS),
              admission,
              config.INGRESS_IN_BAND_MAX_BYTES,
            ),
        },
        {
          provide: StreamedAanleverBody,
          inject: [HttpAdapterHost],
          useFactory: (host: HttpAdapterHost) =>
            new StreamedAanleverBody(
              host,
              { fromBytes: config.INGRESS_STREAMED_BODY_FROM_BYTES, maxBodyBytes: config.INGRESS_MAX_BODY_BYTES, maxFileBytes: config.INGRESS_IN_BAND_MAX_BYTES },
              AANLEVEREN_PATH,
            ),
        },
        ...bulkProviders(config),
        ...groteBerichtenProviders(config),
        ...(wus?.providers ?? []),
      ],
    };
  }
}
