import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { Operators, clientIdentityProviders, operatorProviders, type ClientIdentitySource } from '@poort/nest-edge';
import { LOGGER, PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';

import type { RoutingConfig } from './config.js';
import { RoutingConsumer } from './routing/routing.consumer.js';
import { SubscriptionDirectory } from './subscriptions/subscription-directory.js';
import { SubscriptionsController } from './subscriptions/subscriptions.controller.js';
import { SubscriptionsRepository } from './subscriptions/subscriptions.repository.js';
import { SubscriptionService } from './subscriptions/subscriptions.service.js';

@Module({})
export class AppModule {
  static forRoot(config: RoutingConfig, identitySource: ClientIdentitySource): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('routing', config))],
      controllers: [SubscriptionsController],
      providers: [
        ...clientIdentityProviders(identitySource),
        ...operatorProviders(Operators.fromConfig(config)),
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        poolBacked(SubscriptionsRepository),
        {
          provide: SubscriptionService,
          inject: [SubscriptionsRepository, MessageCatalog, Operators],
          useFactory: (repository: SubscriptionsRepository, catalog: MessageCatalog, operators: Operators) =>
            new SubscriptionService(repository, catalog, operators, { maxPerSubscriber: config.SUBSCRIPTIONS_MAX_PER_SUBSCRIBER }),
        },
        {
          provide: SubscriptionDirectory,
          inject: [SubscriptionsRepository, MessageCatalog, LOGGER],
          useFactory: (repository: SubscriptionsRepository, catalog: MessageCatalog, logger: Logger) => new SubscriptionDirectory(repository, catalog, logger),
        },
        RoutingConsumer,
      ],
    };
  }
}
