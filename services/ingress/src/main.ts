import { clientIdentitySetup } from '@poort/nest-edge';
import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadIngressConfig } from './config.js';
import { INGRESS_OPENAPI } from './openapi.js';
import { SUBMISSION_BODY_LIMIT } from './submission/submission.controller.js';

const config = loadIngressConfig();
const identity = clientIdentitySetup(config);
await runService(
  'ingress',
  AppModule.forRoot(config, identity.source),
  { ...httpOptionsFromEnv(config), openApi: INGRESS_OPENAPI, bodyLimits: { [SUBMISSION_BODY_LIMIT]: config.INGRESS_MAX_BODY_BYTES }, ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
