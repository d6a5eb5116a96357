import { clientIdentityProviders } from '@poort/nest-edge';
import { LOGGER, unusedInDocument, type OpenApiDescription } from '@poort/nest-kit';

import { BulkStatusService } from './bulk/bulk-status.service.js';
import { BulkSubmissionService } from './bulk/bulk-submission.service.js';
import { BULK_LIMITS, BulkController } from './bulk/bulk.controller.js';
import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';

/** Ingress' REST API (docs/openapi/ingress.json, served at OPENAPI_PATH). */
export const INGRESS_OPENAPI: OpenApiDescription = {
  title: 'Poort ingress',
  description: "Submitting messages over REST: Digipoort's aanleveren as JSON over two-way TLS, one by one or many in one NDJSON stream (docs/bulk.md).",
  version: '1',
  controllers: [SubmissionController, BulkController],
  providers: [
    unusedInDocument(SubmissionService),
    unusedInDocument(BulkSubmissionService),
    unusedInDocument(BulkStatusService),
    unusedInDocument(BULK_LIMITS),
    unusedInDocument(LOGGER),
    ...clientIdentityProviders({ mode: 'mtls' }),
  ],
};
