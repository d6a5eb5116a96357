import { Module, type DynamicModule } from '@nestjs/common';
import { clientIdentityProviders, type ClientIdentitySource } from '@poort/nest-edge';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { DeliveryConfig } from './config.js';
import { RestPushChannel } from './delivery/channels/rest-push.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './delivery/channels/delivery-channel.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveryConsumer } from './delivery/delivery.consumer.js';
import { DeliveryMetrics } from './delivery/delivery.metrics.js';
import { DELIVERY_WORKER_SETTINGS, DeliveryWorker } from './delivery/delivery.worker.js';

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig, identitySource: ClientIdentitySource): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('delivery', config))],
      providers: [
        ...clientIdentityProviders(identitySource),
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: DELIVERY_WORKER_SETTINGS, useValue: {
            pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
            concurrency: config.DELIVERY_CONCURRENCY,
            circuit: {
              failureThreshold: config.DELIVERY_CIRCUIT_FAILURES,
              openMs: config.DELIVERY_CIRCUIT_OPEN_MS,
              maxOpenMs: config.DELIVERY_CIRCUIT_MAX_OPEN_MS,
            },
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
      ],
    };
  }
}
