import { Module, type DynamicModule } from '@nestjs/common';
import { Operators, clientIdentityProviders, operatorProviders, type ClientIdentitySource } from '@poort/nest-edge';
import { DB_POOL, PlatformModule, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import type { Pool } from '@poort/message-state';
import { PayloadStore } from '@poort/payload-store';
import { DeadLetters, UnitOfWork } from '@poort/pipeline';

import { AdminController } from './admin/admin.controller.js';
import { DeadLettersController } from './admin/dead-letters.controller.js';
import { ArchiveConsumer } from './archive/archive.consumer.js';
import { ArchiveController } from './archive/archive.controller.js';
import { ArchiveRepository } from './archive/archive.repository.js';
import { ArchiveQueries } from './archive/archive.service.js';
import type { ArchiveConfig } from './config.js';

@Module({})
export class AppModule {
  static forRoot(config: ArchiveConfig, identitySource: ClientIdentitySource): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('archive', config))],
      controllers: [ArchiveController, AdminController, DeadLettersController],
      providers: [
        ...clientIdentityProviders(identitySource),
        ...operatorProviders(Operators.fromConfig(config)),
        poolBacked(ArchiveRepository),
        poolBacked(PayloadStore),
        {
          provide: ArchiveQueries,
          inject: [ArchiveRepository, Operators],
          useFactory: (archive: ArchiveRepository, operators: Operators) => new ArchiveQueries(archive, operators),
        },
        { provide: DeadLetters, inject: [DB_POOL, UnitOfWork], useFactory: (pool: Pool, unitOfWork: UnitOfWork) => new DeadLetters(pool, unitOfWork) },
        ArchiveConsumer,
      ],
    };
  }
}
