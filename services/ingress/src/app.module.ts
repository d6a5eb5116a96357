import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { CLIENT_IDENTITY_SOURCE, ClientIdentityGuard, DB_POOL, PlatformModule, messageCatalogProvider, platformOptionsFromEnv, type ClientIdentitySource } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import type { IngressConfig } from './config.js';
import { InFlightLimiter } from './submission/in-flight-limiter.js';
import { MessagesRepository } from './submission/messages.repository.js';
import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';

@Module({})
export class AppModule {
  static forRoot(config: IngressConfig, identitySource: ClientIdentitySource): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('ingress', config))],
      controllers: [SubmissionController],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: CLIENT_IDENTITY_SOURCE, useValue: identitySource },
        { provide: InFlightLimiter, useValue: new InFlightLimiter(config.INGRESS_MAX_IN_FLIGHT) },
        { provide: PayloadStore, inject: [DB_POOL], useFactory: (pool: Pool) => new PayloadStore(pool) },
        MessagesRepository,
        ClientIdentityGuard,
        SubmissionService,
      ],
    };
  }
}
