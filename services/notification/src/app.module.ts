import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { clientIdentityProviders, wusEndpoint, type ClientIdentitySource } from '@poort/nest-edge';
import { DB_POOL, PlatformModule, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { STATUSINFORMATIE_SERVICE } from '@poort/wus';

import type { NotificationConfig } from './config.js';
import { ReturnedMessagesRepository } from './returned/returned-messages.repository.js';
import { StatusHistoryRepository } from './status/status-history.repository.js';
import { StatusInformationService } from './status/status-information.service.js';
import { StatusConsumer } from './status/status.consumer.js';
import { StatusController } from './status/status.controller.js';
import { SWEEPER_SETTINGS, StuckSweeper } from './status/stuck-sweeper.js';
import { statusinformatieHandlers } from './wus/statusinformatie.wus-handlers.js';

/** Status requests are small; a request beyond this is refused before it is parsed. */
const MAX_STATUS_REQUEST_BYTES = 1024 * 1024;

@Module({})
export class AppModule {
  static forRoot(config: NotificationConfig, identitySource: ClientIdentitySource): DynamicModule {
    const wus = wusEndpoint({
      service: STATUSINFORMATIE_SERVICE,
      config,
      maxRequestBytes: MAX_STATUS_REQUEST_BYTES,
      handlers: { inject: [StatusInformationService], useFactory: statusinformatieHandlers },
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('notification', config))],
      controllers: [StatusController, ...(wus ? [wus.controller] : [])],
      providers: [
        ...clientIdentityProviders(identitySource),
        poolBacked(StatusHistoryRepository),
        poolBacked(ReturnedMessagesRepository),
        {
          provide: StatusInformationService,
          inject: [DB_POOL, StatusHistoryRepository, ReturnedMessagesRepository],
          useFactory: (pool: Pool, history: StatusHistoryRepository, returned: ReturnedMessagesRepository) =>
            new StatusInformationService(pool, history, returned),
        },
        StatusConsumer,
        {
          provide: SWEEPER_SETTINGS,
          useValue: { intervalMs: config.SWEEP_INTERVAL_MS, stuckAfterMs: config.STUCK_AFTER_MS, stuckInDeliveryAfterMs: config.STUCK_IN_DELIVERY_AFTER_MS },
        },
        StuckSweeper,
        ...(wus?.providers ?? []),
      ],
    };
  }
}
