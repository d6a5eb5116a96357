import { readFileSync } from 'node:fs';

import { durationMs, loadConfigOrExit, secret } from '@poort/config';
import { z } from 'zod';

import { MtlsJson } from './mtls-json.js';
import { runSmokeTest } from './smoke-test.js';

// `helm test`: a deployed chain accepts a message over mutual TLS and delivers it. Exit 0 only if it did.
const config = loadConfigOrExit(
  'smoke-test',
  z.object({
    SMOKE_INGRESS_URL: z.url(),
    SMOKE_NOTIFICATION_URL: z.url(),
    SMOKE_CA_FILE: z.string().min(1),
    SMOKE_CLIENT_CERT_FILE: z.string().min(1),
    SMOKE_CLIENT_KEY_FILE: secret(z.string().min(1)),
    SMOKE_BERICHTSOORT: z.string().min(1).default('e-factuur'),
    SMOKE_CONTENT_FILE: z.string().min(1).default('config/schemas/ubl-invoice/samples/valid-invoice.xml'),
    SMOKE_MIME_TYPE: z.string().min(1).default('application/xml'),
    SMOKE_EXPECTED_STATUS: z.string().regex(/^\d{3}$/).default('400'),
    SMOKE_TIMEOUT_MS: durationMs.default(120_000),
  }),
);
const log = (fields: object) => console.log(JSON.stringify({ service: 'smoke-test', ...fields }));
const client = new MtlsJson({
  ca: readFileSync(config.SMOKE_CA_FILE, 'utf8'),
  cert: readFileSync(config.SMOKE_CLIENT_CERT_FILE, 'utf8'),
  key: readFileSync(config.SMOKE_CLIENT_KEY_FILE, 'utf8'),
});
try {
  const result = await runSmokeTest(
    client,
    {
      ingressUrl: config.SMOKE_INGRESS_URL.replace(/\/$/, ''),
      notificationUrl: config.SMOKE_NOTIFICATION_URL.replace(/\/$/, ''),
      berichtsoort: config.SMOKE_BERICHTSOORT,
      content: readFileSync(config.SMOKE_CONTENT_FILE),
      mimeType: config.SMOKE_MIME_TYPE,
      bestandsnaam: config.SMOKE_CONTENT_FILE.split('/').pop()!,
      expectedStatus: config.SMOKE_EXPECTED_STATUS,
      timeoutMs: config.SMOKE_TIMEOUT_MS,
      pollIntervalMs: 1_000,
    },
    log,
  );
  log({ ...result, msg: result.kind === 'passed' ? 'smoke test passed' : 'smoke test failed' });
  process.exitCode = result.kind === 'passed' ? 0 : 1;
} catch (error) {
  log({ kind: 'failed', error: (error as Error).message, msg: 'smoke test failed' });
  process.exitCode = 1;
} finally {
  client.close();
}
