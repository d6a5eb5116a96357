import { Module, type DynamicModule } from '@nestjs/common';
import { clientIdentityProviders, type ClientIdentitySource } from '@poort/nest-edge';
import { MessageCatalog } from '@poort/message-types';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { DeliveryConfig } from './config.js';
import { AfleverWsdlController, WUS_PUBLIC_URL } from './delivery/aflever-wsdl.controller.js';
import { RestPushChannel } from './delivery/channels/rest-push.js';
import { WusAfleverChannel } from './delivery/channels/wus-aflever.js';
import { wusAfleverSettings } from './delivery/channels/wus-aflever-settings.js';
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
      controllers: [AfleverWsdlController],
      providers: [
        ...clientIdentityProviders(identitySource),
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: DELIVERY_WORKER_SETTINGS, useValue: {
            pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
            concurrency: config.DELIVERY_CONCURRENCY,
            perRecipient: config.DELIVERY_CONCURRENCY_PER_RECIPIENT,
          },
        },
        { provide: WUS_PUBLIC_URL, useValue: config.WUS_PUBLIC_URL },
        {
          provide: DELIVERY_CHANNELS,
          inject: [MessageCatalog, PayloadStore],
          useFactory: (catalog: MessageCatalog, payloads: PayloadStore): ReadonlyMap<string, DeliveryChannel> =>
            new Map(
              [new RestPushChannel(), new WusAfleverChannel(catalog.recipients, wusAfleverSettings(config), payloads)].map((channel) => [channel.name, channel]),
            ),
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
