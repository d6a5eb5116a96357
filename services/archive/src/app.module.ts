import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { DB_POOL, PlatformModule, platformOptionsFromEnv } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';

import { ArchiveConsumer } from './archive/archive.consumer.js';
import { ArchiveController } from './archive/archive.controller.js';
import { ArchiveRepository } from './archive/archive.repository.js';
import type { ArchiveConfig } from './config.js';

@Module({})
export class AppModule {
  static forRoot(config: ArchiveConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('archive', config))],
      controllers: [ArchiveController],
      providers: [
        { provide: ArchiveRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new ArchiveRepository(pool) },
        { provide: PayloadStore, inject: [DB_POOL], useFactory: (pool: Pool) => new PayloadStore(pool) },
        ArchiveConsumer,
      ],
    };
  }
}
