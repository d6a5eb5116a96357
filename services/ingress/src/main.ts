import { clientIdentitySetup } from '@poort/nest-edge';
import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadIngressConfig } from './config.js';

const config = loadIngressConfig();
const identity = clientIdentitySetup(config);
await runService(
  'ingress',
  AppModule.forRoot(config, identity.source),
  { host: config.HOST, port: config.PORT, bodyLimitBytes: config.INGRESS_MAX_BODY_BYTES, ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
