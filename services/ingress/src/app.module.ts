import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import {
  CLIENT_IDENTITY_SOURCE,
  ClientIdentityGuard,
  DB_POOL,
  PlatformModule,
  messageCatalogProvider,
  platformOptionsFromEnv,
  wusEndpoint,
  type ClientIdentitySource,
} from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';
import { AANLEVER_SERVICE } from '@poort/wus';

import type { IngressConfig } from './config.js';
import { InFlightLimiter } from './submission/in-flight-limiter.js';
import { MessagesRepository } from './submission/messages.repository.js';
import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';
import { aanleverenHandler } from './wus/aanleveren.wus-handler.js';

@Module({})
export class AppModule {
  static forRoot(config: IngressConfig, identitySource: ClientIdentitySource): DynamicModule {
    const wus = wusEndpoint({
      service: AANLEVER_SERVICE,
      config,
      maxRequestBytes: config.INGRESS_MAX_BODY_BYTES,
      handlers: {
        inject: [SubmissionService, InFlightLimiter],
        useFactory: (submissions: SubmissionService, limiter: InFlightLimiter) => ({ aanleveren: aanleverenHandler(submissions, limiter) }),
      },
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('ingress', config))],
      controllers: [SubmissionController, ...(wus ? [wus.controller] : [])],
      providers: [
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: CLIENT_IDENTITY_SOURCE, useValue: identitySource },
        { provide: InFlightLimiter, useValue: new InFlightLimiter(config.INGRESS_MAX_IN_FLIGHT) },
        { provide: PayloadStore, inject: [DB_POOL], useFactory: (pool: Pool) => new PayloadStore(pool) },
        MessagesRepository,
        ClientIdentityGuard,
        SubmissionService,
        ...(wus?.providers ?? []),
      ],
    };
  }
}
