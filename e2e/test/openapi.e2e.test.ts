import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { OpenApiConformance, committedOpenApiDifference, validateOpenApi31 } from '@poort/testing';

import { BulkClient, E2eChain, SAMPLES, aanlevering } from '../src/index.js';

// The OpenAPI documents as the services serve them: the committed ones, and the endpoints answer as they say.

const committed = (service: 'ingress' | 'notification') => fileURLToPath(new URL(`../../../docs/openapi/${service}.json`, import.meta.url));

const AANLEVEREN = '/api/v1/aanleveren';
const STATUSSEN = '/api/v1/processen/{kenmerk}/statussen';
const NIEUWE_STATUSSEN = '/api/v1/processen/{kenmerk}/statussen/nieuw';
const RETOUR_AFZENDER = '/api/v1/retour-afzender';
const BULK = '/api/v1/bulk';
const BULK_STATUS = '/api/v1/bulk/{bulkId}';

describe('OpenAPI: served, the committed document, and true to the endpoints', () => {
  let e2e: E2eChain;
  const documents = new Map<'ingress' | 'notification', OpenApiConformance>();

  before(async () => {
    e2e = await E2eChain.start('openapi', { services: ['ingress', 'notification'] });
  });
  after(async () => {
    await e2e?.stop();
  });

  for (const service of ['ingress', 'notification'] as const) {
    test(`${service} serves its committed OpenAPI 3.1 document at /openapi.json, without a client certificate`, async () => {
      const answer = await e2e.get(service, '/openapi.json', 'anonymous');
      assert.equal(answer.status, 200);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      const document = answer.json<{ openapi: string }>();
      assert.equal(committedOpenApiDifference(document, committed(service)), undefined);
      await validateOpenApi31(document);
      documents.set(service, new OpenApiConformance(document as never));
    });
  }

  const conforms = (service: 'ingress' | 'notification', method: string, path: string, status: number, body: unknown, mediaType?: string) => {
    const conformance = documents.get(service);
    assert.ok(conformance, `${service}'s document was not fetched`);
    assert.deepEqual(conformance.problems(method, path, status, body, mediaType), [], JSON.stringify(body));
  };

  test('aanleveren answers as documented: a receipt, a coded refusal, no certificate', async () => {
    const accepted = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    conforms('ingress', 'POST', AANLEVEREN, 200, accepted.body);

    const invalid = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice, { rolBelanghebbende: '' }));
    assert.equal(invalid.status, 400);
    assert.equal((invalid.body as { code?: string }).code, 'ALS100');
    conforms('ingress', 'POST', AANLEVEREN, 400, invalid.body);

    const wrongType = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice, { berichtInhoud: { mimeType: 'image/png', bestandsnaam: 'a.png', inhoud: 'AAAA' } }));
    assert.equal(wrongType.status, 415);
    conforms('ingress', 'POST', AANLEVEREN, 415, wrongType.body);

    const anonymous = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice), 'anonymous');
    assert.equal(anonymous.status, 401);
    conforms('ingress', 'POST', AANLEVEREN, 401, anonymous.body);
  });

  test('the status endpoints and retour afzender answer as documented', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statussen = `/api/v1/processen/${kenmerk}/statussen`;
    await e2e.waitForStatus(kenmerk, '100');
    const sender = e2e.client('sender-a');
    const notification = e2e.chain.url('notification');

    const all = await sender.get(`${notification}${statussen}`);
    assert.equal(all.status, 200);
    assert.ok((all.body as unknown[]).length > 0);
    conforms('notification', 'GET', STATUSSEN, 200, all.body);

    const fresh = await sender.get(`${notification}${statussen}/nieuw`);
    assert.equal(fresh.status, 200);
    conforms('notification', 'GET', NIEUWE_STATUSSEN, 200, fresh.body);

    const badDate = await sender.get(`${notification}${statussen}?tijdstempelVanaf=gisteren`);
    assert.equal(badDate.status, 400);
    conforms('notification', 'GET', STATUSSEN, 400, badDate.body);

    const unknown = await sender.get(`${notification}/api/v1/processen/onbekend-kenmerk/statussen`);
    assert.equal(unknown.status, 404);
    conforms('notification', 'GET', STATUSSEN, 404, unknown.body);

    const someoneElse = await e2e.client('sender-b').get(`${notification}${statussen}`);
    assert.equal(someoneElse.status, 404);
    conforms('notification', 'GET', STATUSSEN, 404, someoneElse.body);

    const returned = await sender.get(`${notification}${RETOUR_AFZENDER}?vanaf=2026-01-01`);
    assert.equal(returned.status, 200);
    conforms('notification', 'GET', RETOUR_AFZENDER, 200, returned.body);

    const anonymous = await e2e.client('anonymous').get(`${notification}${RETOUR_AFZENDER}`);
    assert.equal(anonymous.status, 401);
    conforms('notification', 'GET', RETOUR_AFZENDER, 401, anonymous.body);
  });

  test('bulk aanleveren and the bulk status answer as documented', async () => {
    const ingress = e2e.chain.url('ingress');
    const bulk = new BulkClient(e2e.pki, 'sender-a');
    try {
      const answer = await bulk.submit(ingress, [JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice)), '{"berichtsoort":"e-factuur"}', 'geen json']);
      assert.equal(answer.status, 200);
      assert.equal(answer.lines.length, 4);
      for (const line of answer.lines) conforms('ingress', 'POST', BULK, 200, line, 'application/x-ndjson');
      const { bulkId } = (answer.lines.at(-1) as { samenvatting: { bulkId: string } }).samenvatting;

      const status = await e2e.get('ingress', `${BULK}/${bulkId}`, 'sender-a');
      assert.equal(status.status, 200);
      conforms('ingress', 'GET', BULK_STATUS, 200, status.json());

      const badPage = await e2e.get('ingress', `${BULK}/${bulkId}?aantal=0`, 'sender-a');
      assert.equal(badPage.status, 400);
      conforms('ingress', 'GET', BULK_STATUS, 400, badPage.json());

      const someoneElse = await e2e.get('ingress', `${BULK}/${bulkId}`, 'sender-b');
      assert.equal(someoneElse.status, 404);
      conforms('ingress', 'GET', BULK_STATUS, 404, someoneElse.json());

      const notNdjson = await e2e.client('sender-a').post(`${ingress}${BULK}`, aanlevering('e-factuur', SAMPLES.invoice));
      assert.equal(notNdjson.status, 415);
      conforms('ingress', 'POST', BULK, 415, notNdjson.body);

      const anonymous = await e2e.client('anonymous').post(`${ingress}${BULK}`, '{}', { 'content-type': 'application/x-ndjson' });
      assert.equal(anonymous.status, 401);
      conforms('ingress', 'POST', BULK, 401, anonymous.body);
    } finally {
      await bulk.close();
    }
  });
});
