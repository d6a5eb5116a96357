import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildOpenApiDocument, serializeOpenApiDocument } from '@poort/nest-kit';
import { OpenApiConformance, committedOpenApiDifference, validateOpenApi31 } from '@poort/testing';

import { INGRESS_OPENAPI } from '../src/openapi.js';

const COMMITTED = fileURLToPath(new URL('../../../../docs/openapi/ingress.json', import.meta.url));
const AANLEVEREN = '/api/v1/aanleveren';

describe('ingress OpenAPI document', () => {
  test('the committed docs/openapi/ingress.json is what the code generates, and valid OpenAPI 3.1', async () => {
    const document = await buildOpenApiDocument(INGRESS_OPENAPI);
    assert.equal(committedOpenApiDifference(document, COMMITTED), undefined);
    assert.equal(document.openapi, '3.1.0');
    await validateOpenApi31(document);
  });

  test('an endpoint changed without regenerating is caught, and says what to do', async () => {
    const document = await buildOpenApiDocument(INGRESS_OPENAPI);
    const stale = structuredClone(document);
    delete stale.paths[AANLEVEREN]!.post!.responses['415'];
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'ingress.json');
    writeFileSync(file, serializeOpenApiDocument(stale));
    assert.match(committedOpenApiDifference(document, file) ?? '', /differ at \/paths\/~1api~1v1~1aanleveren\/post\/responses\/415\): run `pnpm run openapi`/);
  });

  test('an invalid document is refused by the validator', async () => {
    const document = await buildOpenApiDocument(INGRESS_OPENAPI);
    await assert.rejects(validateOpenApi31({ ...document, openapi: '3.0.3' }), /not an OpenAPI 3\.1 document/);
    const broken = structuredClone(document) as unknown as { paths: Record<string, { post: { responses: Record<string, unknown> } }> };
    broken.paths[AANLEVEREN]!.post.responses['200'] = { content: {} };
    await assert.rejects(validateOpenApi31(broken));
  });

  test('answers are checked against the documented statuses and schemas', async () => {
    const conformance = new OpenApiConformance(await buildOpenApiDocument(INGRESS_OPENAPI) as never);
    const receipt = {
      kenmerk: '0b9f5bb1-7a35-4d7a-9d8e-2a2b7f1c4e11',
      berichtsoort: 'e-factuur',
      tijdstempelAangeleverd: '2026-12-01T06:00:00.000Z',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      statuscode: '100',
      statusomschrijving: 'Aanleveren gelukt',
    };
    assert.deepEqual(conformance.problems('POST', AANLEVEREN, 200, receipt), []);
    assert.deepEqual(conformance.problems('POST', AANLEVEREN, 400, { code: 'ALS100', message: 'het verzoek voldoet niet' }), []);
    const { kenmerk: _missing, ...withoutKenmerk } = receipt;
    assert.match(conformance.problems('POST', AANLEVEREN, 200, withoutKenmerk).join('\n'), /must have required property 'kenmerk'/);
    assert.match(conformance.problems('POST', AANLEVEREN, 200, { ...receipt, tijdstempelAangeleverd: 'gisteren' }).join('\n'), /tijdstempelAangeleverd/);
    assert.match(conformance.problems('POST', AANLEVEREN, 400, { kind: 'invalid', message: 'x' }).join('\n'), /code/);
    assert.match(conformance.problems('POST', AANLEVEREN, 404, { code: 'X_Y', message: 'x' }).join('\n'), /does not list/);
  });

  test('bulk answer lines are checked one by one against the NDJSON schema', async () => {
    const conformance = new OpenApiConformance((await buildOpenApiDocument(INGRESS_OPENAPI)) as never);
    const ndjson = (line: unknown) => conformance.problems('POST', '/api/v1/bulk', 200, line, 'application/x-ndjson');
    assert.deepEqual(ndjson({ index: 0, aanleverkenmerk: 'a-1', kenmerk: '0b9f5bb1-7a35-4d7a-9d8e-2a2b7f1c4e11' }), []);
    assert.deepEqual(ndjson({ index: 1, fout: { foutcode: 'ALS100', foutbeschrijving: 'de regel is geen JSON' } }), []);
    assert.deepEqual(ndjson({ samenvatting: { bulkId: '5c2e8a4e-6a43-4b6f-9a3e-2f0f5f1b2c3d', geaccepteerd: 1, geweigerd: 1 } }), []);
    assert.notDeepEqual(ndjson({ index: 2 }), []);
    assert.notDeepEqual(ndjson({ index: 3, kenmerk: 'k', fout: { foutcode: 'ALS100', foutbeschrijving: 'x' } }), []);
  });
});
