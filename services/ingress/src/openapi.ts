import { clientIdentityProviders } from '@poort/nest-edge';
import { LOGGER, unusedInDocument, type OpenApiDescription } from '@poort/nest-kit';

import { BulkStatusService } from './bulk/bulk-status.service.js';
import { BulkSubmissionService } from './bulk/bulk-submission.service.js';
import { BULK_LIMITS, BulkController } from './bulk/bulk.controller.js';
import { GroteBerichtenController } from './grote-berichten/grote-berichten.controller.js';
import { GroteBerichtenService } from './grote-berichten/grote-berichten.service.js';
import { StreamedAanleverBody } from './submission/streamed-body.js';
import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';

/** Ingress' REST API (docs/openapi/ingress.json, served at OPENAPI_PATH). */
export const INGRESS_OPENAPI: OpenApiDescription = {
  title: 'Poort ingress',
  description: "Submitting messages over REST: Digipoort's aanleveren as JSON over two-way TLS, one by one, many in one NDJSON stream (docs/bulk.md), or a large file uploaded in byte ranges (Digikoppeling Grote Berichten, docs/grote-berichten.md).",
  version: '1',
  controllers: [SubmissionController, BulkController, GroteBerichtenController],
  providers: [
    unusedInDocument(SubmissionService),
    unusedInDocument(StreamedAanleverBody),
    unusedInDocument(BulkSubmissionService),
    unusedInDocument(BulkStatusService),
    unusedInDocument(BULK_LIMITS),
    unusedInDocument(GroteBerichtenService),
    unusedInDocument(LOGGER),
    ...clientIdentityProviders({ mode: 'mtls' }),
  ],
};
