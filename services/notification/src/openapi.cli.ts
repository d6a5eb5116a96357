import { buildOpenApiDocument, writeOpenApiDocument } from '@poort/nest-kit';

import { NOTIFICATION_OPENAPI } from './openapi.js';

/** `pnpm run openapi`: writes docs/openapi/notification.json from the controllers (no Kafka or Postgres needed). */
const file = new URL('../../../../docs/openapi/notification.json', import.meta.url);
writeOpenApiDocument(await buildOpenApiDocument(NOTIFICATION_OPENAPI), file.pathname);
console.log(`wrote ${file.pathname}`);
