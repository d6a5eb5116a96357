import type { Provider } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import { DB_POOL, LOGGER } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import { PayloadStore, StagedUploads } from '@poort/payload-store';

import type { IngressConfig } from '../config.js';
import { SubmissionAdmission } from '../submission/submission-admission.js';
import { SubmissionService } from '../submission/submission.service.js';
import { OctetStreamBodyParser } from './grote-berichten.controller.js';
import { GroteBerichtenMetrics } from './grote-berichten.metrics.js';
import { GroteBerichtenService } from './grote-berichten.service.js';
import { UploadExpirySweeper } from './upload-expiry.sweeper.js';

/** What GroteBerichtenController needs, wired from ingress's configuration (the GROTE_BERICHTEN_* settings). */
export function groteBerichtenProviders(config: IngressConfig): Provider[] {
  return [
    OctetStreamBodyParser,
    GroteBerichtenMetrics,
    { provide: StagedUploads, inject: [DB_POOL], useFactory: (pool: Pool) => new StagedUploads(pool) },
    {
      provide: GroteBerichtenService,
      inject: [SubmissionService, StagedUploads, PayloadStore, SubmissionAdmission, GroteBerichtenMetrics],
      useFactory: (submissions: SubmissionService, uploads: StagedUploads, payloads: PayloadStore, admission: SubmissionAdmission, metrics: GroteBerichtenMetrics) =>
        new GroteBerichtenService(submissions, uploads, payloads, admission, { maxBytes: config.GROTE_BERICHTEN_MAX_BYTES, expiryMs: config.GROTE_BERICHTEN_EXPIRY }, metrics),
    },
    {
      provide: UploadExpirySweeper,
      inject: [StagedUploads, GroteBerichtenMetrics, LOGGER],
      useFactory: (uploads: StagedUploads, metrics: GroteBerichtenMetrics, logger: Logger) =>
        new UploadExpirySweeper(uploads, config.GROTE_BERICHTEN_SWEEP_INTERVAL_MS, metrics, logger),
    },
  ];
}
