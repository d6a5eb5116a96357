import { clientIdentityProviders } from '@poort/nest-edge';
import { unusedInDocument, type OpenApiDescription } from '@poort/nest-kit';

import { SubmissionController } from './submission/submission.controller.js';
import { SubmissionService } from './submission/submission.service.js';

/** Ingress' REST API (docs/openapi/ingress.json, served at OPENAPI_PATH). */
export const INGRESS_OPENAPI: OpenApiDescription = {
  title: 'Poort ingress',
  description: "Submitting messages over REST: Digipoort's aanleveren as JSON over two-way TLS.",
  version: '1',
  controllers: [SubmissionController],
  providers: [unusedInDocument(SubmissionService), ...clientIdentityProviders({ mode: 'mtls' })],
};
