import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildOpenApiDocument } from '@poort/nest-kit';
import { committedOpenApiDifference, validateOpenApi31 } from '@poort/testing';

import { NOTIFICATION_OPENAPI } from '../src/openapi.js';

const COMMITTED = fileURLToPath(new URL('../../../../docs/openapi/notification.json', import.meta.url));

describe('notification OpenAPI document', () => {
  test('the committed docs/openapi/notification.json is what the code generates, and valid OpenAPI 3.1', async () => {
    const document = await buildOpenApiDocument(NOTIFICATION_OPENAPI);
    assert.equal(committedOpenApiDifference(document, COMMITTED), undefined);
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/api/v1/processen/{kenmerk}/statussen',
      '/api/v1/processen/{kenmerk}/statussen/nieuw',
      '/api/v1/retour-afzender',
    ]);
    await validateOpenApi31(document);
  });
});
