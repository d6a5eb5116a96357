import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';

const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);

describe('the chain, end to end on real Kafka and Postgres', () => {
  let e2e: E2eChain;

  before(async () => {
    e2e = await E2eChain.start('chain', {
      scenarioRecipients: {
        herhaling: { behaviour: 'accept', retryWindow: '2m', started: false },
        verlopen: { behaviour: 'down', retryWindow: '3s' },
        weigering: { behaviour: 'refuse', retryWindow: '2m' },
      },
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  test('a UBL invoice over two-way TLS is received, processed, fanned out to two recipients and archived', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    assert.match(kenmerk, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(String(receipt.body.tijdstempelAangeleverd))));
    assert.equal(receipt.body.statuscode, '100');

    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);

    // Fan-out: the Belastingdienst gets the invoice as submitted, the ministry the JSON summary.
    const original = await waitFor('delivery to belastingdienst', async () => e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    assert.deepEqual(original.body, SAMPLES.invoice);
    assert.equal(original.headers['x-poort-message-id'], `${kenmerk}:belastingdienst`);
    assert.equal(original.headers['x-poort-afzender-oin'], '00000099000000000001');
    const summary = await waitFor('delivery to ministerie-bzk', async () => e2e.recipient('ministerie-bzk').forKenmerk(kenmerk));
    assert.equal(summary.headers['content-type'], 'application/json');
    const json = JSON.parse(summary.body.toString('utf8')) as { format: string; invoiceId: string; lines: unknown[] };
    assert.equal(json.format, 'poort.invoice-summary.v1');
    assert.ok(json.invoiceId.length > 0);
    assert.ok(json.lines.length > 0);

    const archived = await waitFor('the archive to hold the whole history', async () => {
      // The archive answers identified callers only: here the sender, reading its own message.
      const response = await e2e.archive(kenmerk, 'sender-a');
      if (response.status !== 200) return undefined;
      const body = response.json<{ envelope: { kenmerk: string; content: { sha256: string } }; statuses: { statuscode: string }[] }>();
      return body.statuses.length === 6 ? body : undefined;
    });
    assert.equal(archived.envelope.kenmerk, kenmerk);
    assert.deepEqual(archived.statuses.map((status) => status.statuscode), ['100', '110', '200', '301', '405', '400']);
    const content = await e2e.archive(kenmerk, 'sender-a', '/content');
    assert.deepEqual(content.body, SAMPLES.invoice);
  });

  test('new statuses are new once per certificate', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');
    const url = `${e2e.chain.url('notification')}/api/v1/processen/${kenmerk}/statussen/nieuw`;
    const first = await e2e.client('sender-a').get<StatusResultaat[]>(url);
    assert.deepEqual(codes(first.body), ['100', '110', '200', '301', '405', '400']);
    const second = await e2e.client('sender-a').get<StatusResultaat[]>(url);
    assert.deepEqual(second.body, []);
    // Another sender cannot see the process at all.
    const stranger = await e2e.client('sender-b').get(`${e2e.chain.url('notification')}/api/v1/processen/${kenmerk}/statussen`);
    assert.equal(stranger.status, 404);
  });

  test('a VAT return (XBRL) goes to its one recipient', async () => {
    const receipt = await e2e.submit(aanlevering('Omzetbelasting', SAMPLES.vatInstance));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);
    const delivered = e2e.recipient('belastingdienst').forKenmerk(kenmerk);
    assert.deepEqual(delivered?.body, SAMPLES.vatInstance);
  });

  test('a sender whose OIN may not send the type ends at 210', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice), 'sender-b');
    assert.equal(receipt.status, 200);
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await waitFor('status 210', async () => {
      const response = await e2e.client('sender-b').get<StatusResultaat[]>(`${e2e.chain.url('notification')}/api/v1/processen/${kenmerk}/statussen`);
      return response.status === 200 && codes(response.body).includes('210') ? response.body : undefined;
    });
    assert.deepEqual(codes(statuses), ['100', '110', '210']);
    assert.match(statuses[2]!.statusdetails ?? '', /00000099000000000002.*niet geautoriseerd/);
  });

  test('an invalid invoice ends at 311 with the validator message', async () => {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invalidInvoice));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '311');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '311']);
    const failed = statuses[3]!;
    assert.equal(failed.statusFoutcode?.foutcode, 'VAS500');
    assert.match(failed.statusdetails ?? '', /regel \d+, kolom \d+: .*Element/);
  });

  test('a recipient that refuses ends the message at 410 and returns it to the sender', async () => {
    const receipt = await e2e.submit(aanlevering('weigering', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '410');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '410']);
    assert.equal(statuses[5]!.statusFoutcode?.foutcode, 'AFO100');
    assert.match(statuses[5]!.statusFoutcode?.foutbeschrijving ?? '', /HTTP 400/);
    await waitFor('retour afzender notice', async () => {
      const notices = await e2e.client('sender-a').get<{ kenmerk: string }[]>(`${e2e.chain.url('notification')}/api/v1/retour-afzender`);
      return notices.body.find((notice) => notice.kenmerk === kenmerk);
    });
  });

  test('a recipient that stays down past the window ends at 420/AFS600 with a retour-afzender notice', async () => {
    const receipt = await e2e.submit(aanlevering('verlopen', SAMPLES.invoice, { aanleverkenmerk: 'verlopen-1' }));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await waitFor('final 420', async () => {
      const list = await e2e.statuses(kenmerk);
      return list.some((status) => status.statusFoutcode?.foutcode === 'AFS600') ? list : undefined;
    }, 30_000);
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '420', '420']);
    assert.equal(statuses[5]!.statusFoutcode?.foutcode, 'AFS400');
    assert.match(statuses[6]!.statusFoutcode?.foutbeschrijving ?? '', /retour afzender/);
    assert.ok(e2e.recipient('verlopen').posts >= 2, 'the recipient was tried more than once');
    const notice = await waitFor('retour afzender notice', async () => {
      const notices = await e2e.client('sender-a').get<{ kenmerk: string; aanleverkenmerk: string; reden: { foutcode: string } }[]>(
        `${e2e.chain.url('notification')}/api/v1/retour-afzender`,
      );
      return notices.body.find((entry) => entry.kenmerk === kenmerk);
    });
    assert.equal(notice.aanleverkenmerk, 'verlopen-1');
    assert.equal(notice.reden.foutcode, 'AFS600');
  });

  test('a recipient that is down is retried and gets the message once it is back, across a delivery restart', async () => {
    const recipient = e2e.recipient('herhaling');
    const receipt = await e2e.submit(aanlevering('herhaling', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '420');
    await e2e.chain.restartService('delivery', 'SIGKILL');
    await recipient.start();
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '420', '400']);
    assert.equal(recipient.forKenmerk(kenmerk)?.body.length, SAMPLES.invoice.length);
    assert.equal(recipient.posts, 1, 'delivered in one successful POST');
  });

  describe('malformed requests get a clear 4xx and leave nothing behind', () => {
    const cases: { name: string; body: unknown; status: number; code: string; message: RegExp; as?: 'anonymous' | 'untrusted' | 'expired' | 'revoked' }[] = [
      { name: 'missing berichtsoort', body: { ...aanlevering('e-factuur', SAMPLES.invoice), berichtsoort: undefined }, status: 400, code: 'ALS100', message: /koppelvlakspecificatie/ },
      { name: 'content not base64', body: aanlevering('e-factuur', SAMPLES.invoice, { berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'x.xml', inhoud: '<xml/>' } }), status: 400, code: 'ALS100', message: /koppelvlakspecificatie/ },
      { name: 'unknown field', body: { ...aanlevering('e-factuur', SAMPLES.invoice), extra: 1 }, status: 400, code: 'ALS100', message: /koppelvlakspecificatie/ },
      { name: 'unknown berichtsoort', body: aanlevering('onbekend', SAMPLES.invoice), status: 400, code: 'ALS100', message: /berichtsoort onbekend is onbekend/ },
      { name: 'kenmerk sent by the client', body: aanlevering('e-factuur', SAMPLES.invoice, { kenmerk: 'mine' }), status: 400, code: 'ALS100', message: /kenmerk wordt door Poort toegekend/ },
      { name: 'mime type not accepted', body: aanlevering('e-factuur', SAMPLES.invoice, { berichtInhoud: { mimeType: 'application/pdf', bestandsnaam: 'x.pdf', inhoud: 'JVBERi0=' } }), status: 415, code: 'ALS100', message: /application\/pdf/ },
      { name: 'body not JSON', body: '{"berichtsoort": ', status: 400, code: 'HTTP_400', message: /JSON/i },
      { name: 'no client certificate', body: aanlevering('e-factuur', SAMPLES.invoice), status: 401, code: 'CERT_MISSING', message: /certificate/, as: 'anonymous' },
      { name: 'certificate from an untrusted CA', body: aanlevering('e-factuur', SAMPLES.invoice), status: 401, code: 'CERT_UNTRUSTED', message: /certificate/, as: 'untrusted' },
      { name: 'expired certificate', body: aanlevering('e-factuur', SAMPLES.invoice), status: 401, code: 'CERT_EXPIRED', message: /certificate/, as: 'expired' },
      { name: 'revoked certificate', body: aanlevering('e-factuur', SAMPLES.invoice), status: 401, code: 'CERT_REVOKED', message: /certificate/, as: 'revoked' },
    ];
    for (const testCase of cases) {
      test(testCase.name, async () => {
        const before = { messages: await e2e.count('messages'), payloads: await e2e.count('payloads'), outbox: await e2e.count('outbox') };
        const response = await e2e.submit(testCase.body, testCase.as ?? 'sender-a');
        assert.equal(response.status, testCase.status, JSON.stringify(response.body));
        const body = response.body as { code: string; message: string };
        assert.equal(body.code, testCase.code);
        assert.match(body.message, testCase.message);
        assert.equal(await e2e.count('messages'), before.messages);
        assert.equal(await e2e.count('payloads'), before.payloads);
      });
    }

    test('content over the 20 MiB of the koppelvlak is refused with 413', async () => {
      const before = { messages: await e2e.count('messages'), payloads: await e2e.count('payloads'), chunks: await e2e.count('payload_chunks') };
      const huge = aanlevering('e-factuur', Buffer.alloc(20 * 1024 * 1024 + 1, 0x41));
      const response = await e2e.submit(huge);
      assert.equal(response.status, 413, JSON.stringify(response.body));
      assert.match((response.body as { message: string }).message, /groter dan 20971520 bytes/);
      assert.equal(await e2e.count('messages'), before.messages);
      assert.equal(await e2e.count('payloads'), before.payloads);
      assert.equal(await e2e.count('payload_chunks'), before.chunks);
    });
  });

  test('every service answers health and metrics', async () => {
    for (const service of ['authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive'] as const) {
      // Health and metrics need no certificate, also where the API does (archive listens with two-way TLS).
      const live = await e2e.get(service, '/health/live');
      assert.equal(live.status, 200, service);
      const ready = await e2e.get(service, '/health/ready');
      assert.equal(ready.status, 200, service);
      const body = ready.json<{ info: Record<string, { status: string }> }>();
      assert.equal(body.info.kafka?.status, 'up');
      assert.equal(body.info.postgres?.status, 'up');
      const metrics = (await e2e.get(service, '/metrics')).text();
      assert.match(metrics, /# TYPE poort_events_handled_total counter/);
      assert.match(metrics, new RegExp(`poort_outbox_published_total\\{service="${service}"\\} \\d+`));
    }
    // Authorization ran all along: its counter shows the messages this suite sent through it.
    const authorization = await (await fetch(`${e2e.chain.url('authorization')}/metrics`)).text();
    const done = /poort_events_handled_total\{topic="poort.message.received.v1",outcome="done",service="authorization"\} (\d+)/.exec(authorization);
    assert.ok(done && Number(done[1]) >= 5, `authorization counted its events: ${done?.[0]}`);
    for (const service of ['ingress', 'notification'] as const) {
      assert.equal(await e2e.chain.isReady(service), true, service);
    }
  });
});
