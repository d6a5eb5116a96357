import { clientIdentitySetup } from '@poort/nest-edge';
import { runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadNotificationConfig } from './config.js';

const config = loadNotificationConfig();
const identity = clientIdentitySetup(config);
await runService(
  'notification',
  AppModule.forRoot(config, identity.source),
  { host: config.HOST, port: config.PORT, ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
