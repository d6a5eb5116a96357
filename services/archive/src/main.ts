import { clientIdentitySetup } from '@poort/nest-edge';
import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadArchiveConfig } from './config.js';

const config = loadArchiveConfig();
const identity = clientIdentitySetup(config);
await runService(
  'archive',
  AppModule.forRoot(config, identity.source),
  { ...httpOptionsFromEnv(config), ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
