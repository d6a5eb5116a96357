import { clientIdentitySetup } from '@poort/nest-edge';
import { httpOptionsFromEnv, runService } from '@poort/nest-kit';

import { AppModule } from './app.module.js';
import { loadNotificationConfig } from './config.js';
import { NOTIFICATION_OPENAPI } from './openapi.js';

const config = loadNotificationConfig();
const identity = clientIdentitySetup(config);
await runService(
  'notification',
  AppModule.forRoot(config, identity.source),
  { ...httpOptionsFromEnv(config), openApi: NOTIFICATION_OPENAPI, ...(identity.mtls ? { mtls: identity.mtls } : {}) },
  config.OTEL_EXPORTER_OTLP_ENDPOINT,
);
