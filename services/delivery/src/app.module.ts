import { Module, type DynamicModule } from '@nestjs/common';
import { clientIdentityProviders, wusEndpoint, type ClientIdentitySource } from '@poort/nest-edge';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';
import { AFLEVERSTATUS_SERVICE } from '@poort/wus';

import type { DeliveryConfig } from './config.js';
import { RestPushChannel } from './delivery/channels/rest-push.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './delivery/channels/delivery-channel.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveryConsumer } from './delivery/delivery.consumer.js';
import { DeliveryMetrics } from './delivery/delivery.metrics.js';
import { DELIVERY_WORKER_SETTINGS, DeliveryWorker } from './delivery/delivery.worker.js';
import { MAX_RECIPIENT_STATUS_BYTES, RecipientStatusController } from './recipient-status/recipient-status.controller.js';
import { RecipientStatusMetrics } from './recipient-status/recipient-status.metrics.js';
import { RecipientStatusService } from './recipient-status/recipient-status.service.js';
import { afleverstatusHandlers } from './recipient-status/recipient-status.wus-handlers.js';
import { RecipientStatusesRepository } from './recipient-status/recipient-statuses.repository.js';

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig, identitySource: ClientIdentitySource): DynamicModule {
    // Recipients report their own statuses (zetStatus) here: over WUS and REST.
    const afleverstatus = wusEndpoint({
      service: AFLEVERSTATUS_SERVICE,
      config,
      maxRequestBytes: MAX_RECIPIENT_STATUS_BYTES,
      handlers: { inject: [RecipientStatusService], useFactory: afleverstatusHandlers },
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('delivery', config))],
      controllers: [RecipientStatusController, ...(afleverstatus ? [afleverstatus.controller] : [])],
      providers: [
        ...clientIdentityProviders(identitySource),
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: DELIVERY_WORKER_SETTINGS, useValue: {
            pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
            concurrency: config.DELIVERY_CONCURRENCY,
            perRecipient: config.DELIVERY_CONCURRENCY_PER_RECIPIENT,
          },
        },
        {
          provide: DELIVERY_CHANNELS,
          useFactory: (): ReadonlyMap<string, DeliveryChannel> => new Map([new RestPushChannel()].map((channel) => [channel.name, channel])),
        },
        poolBacked(DeliveriesRepository),
        poolBacked(PayloadStore),
        DeliveryMetrics,
        DeliveryWorker,
        DeliveryConsumer,
        RecipientStatusesRepository,
        RecipientStatusMetrics,
        RecipientStatusService,
        ...(afleverstatus?.providers ?? []),
      ],
    };
  }
}
