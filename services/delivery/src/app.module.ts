import { Module, type DynamicModule } from '@nestjs/common';
import { clientIdentityProviders, type ClientIdentitySource } from '@poort/nest-edge';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { MessageCatalog } from '@poort/message-types';
import { PayloadStore } from '@poort/payload-store';

import type { DeliveryConfig } from './config.js';
import { RestPushChannel } from './delivery/channels/rest-push.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './delivery/channels/delivery-channel.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveryCredentials, deliveryCredentialSettings } from './delivery/delivery-credentials.js';
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
            perRecipient: config.DELIVERY_CONCURRENCY_PER_RECIPIENT,
          },
        },
        {
          provide: DeliveryCredentials,
          inject: [MessageCatalog],
          useFactory: (catalog: MessageCatalog) => DeliveryCredentials.load(deliveryCredentialSettings(config), catalog.recipients),
        },
        {
          provide: DELIVERY_CHANNELS,
          inject: [DeliveryCredentials, MessageCatalog],
          useFactory: (credentials: DeliveryCredentials, catalog: MessageCatalog): ReadonlyMap<string, DeliveryChannel> =>
            new Map([new RestPushChannel(credentials, catalog.recipients)].map((channel) => [channel.name, channel])),
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
