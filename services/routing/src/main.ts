import { clientIdentitySetup } from '@poort/nest-edge';
import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadRoutingConfig } from './config.js';

const config = loadRoutingConfig();
const identity = clientIdentitySetup(config);
await runService(
  'routing',
  AppModule.forRoot(config, identity.source),
  { ...httpOptionsFromEnv(config), ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
