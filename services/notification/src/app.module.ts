import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { CLIENT_IDENTITY_SOURCE, ClientIdentityGuard, DB_POOL, PlatformModule, platformOptionsFromEnv, type ClientIdentitySource } from '@poort/nest-kit';

import type { NotificationConfig } from './config.js';
import { ReturnedMessagesRepository } from './returned/returned-messages.repository.js';
import { StatusHistoryRepository } from './status/status-history.repository.js';
import { StatusConsumer } from './status/status.consumer.js';
import { StatusController } from './status/status.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: NotificationConfig, identitySource: ClientIdentitySource): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('notification', config))],
      controllers: [StatusController],
      providers: [
        { provide: CLIENT_IDENTITY_SOURCE, useValue: identitySource },
        ClientIdentityGuard,
        { provide: StatusHistoryRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new StatusHistoryRepository(pool) },
        { provide: ReturnedMessagesRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new ReturnedMessagesRepository(pool) },
        StatusConsumer,
      ],
    };
  }
}
