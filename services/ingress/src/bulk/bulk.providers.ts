import type { Provider } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { Operators, operatorProviders } from '@poort/nest-edge';
import { DB_POOL, LOGGER } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';

import type { IngressConfig } from '../config.js';
import { SubmissionService } from '../submission/submission.service.js';
import { BulkStatusService } from './bulk-status.service.js';
import { BulkSubmissionService, type BulkLimits } from './bulk-submission.service.js';
import { BULK_LIMITS, NdjsonBodyParser } from './bulk.controller.js';
import { BulksRepository } from './bulks.repository.js';

/** What BulkController needs, wired from ingress's configuration (the INGRESS_BULK_* settings and OPERATOR_OINS). */
export function bulkProviders(config: IngressConfig): Provider[] {
  const limits: BulkLimits = {
    maxItems: config.INGRESS_BULK_MAX_ITEMS,
    maxLineBytes: config.INGRESS_BULK_MAX_LINE_BYTES,
    maxTotalBytes: config.INGRESS_BULK_MAX_BYTES,
    concurrency: config.INGRESS_BULK_CONCURRENCY,
  };
  return [
    ...operatorProviders(Operators.fromConfig(config)),
    NdjsonBodyParser,
    { provide: BULK_LIMITS, useValue: limits },
    { provide: BulksRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new BulksRepository(pool, config.INGRESS_BULK_RETENTION_MS) },
    {
      provide: BulkSubmissionService,
      inject: [SubmissionService, BulksRepository, LOGGER],
      useFactory: (submissions: SubmissionService, bulks: BulksRepository, logger: Logger) =>
        new BulkSubmissionService(submissions, bulks, limits, ({ bulkId, index, error }) => logger.error({ err: error, bulkId, index }, 'bulk item failed')),
    },
    {
      provide: BulkStatusService,
      inject: [BulksRepository, Operators],
      useFactory: (bulks: BulksRepository, operators: Operators) => new BulkStatusService(bulks, operators),
    },
  ];
}
