import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';

// Back-pressure that tells the truth: with validation stopped, the chain really falls behind (the lag of validation's
// consumer group grows with every accepted message), and both ingress replicas, each sampling on its own, refuse with
// Digipoort's busy answer: REST 503 ALS400 with Retry-After, WUS an aanleverFault ALS400. Status reads go on. When
// validation is back and the chain drains, ingress accepts again by itself. Every accepted message reaches 400 once;
// every refused one left nothing behind.

const MAX_LAG = 20;
const BUSY_ENV = {
  INGRESS_BUSY_MAX_LAG: String(MAX_LAG),
  INGRESS_BUSY_RESUME_RATIO: '0.5',
  INGRESS_BUSY_SAMPLE_INTERVAL_MS: '250',
  INGRESS_BUSY_RETRY_AFTER_MIN_S: '1',
  INGRESS_BUSY_RETRY_AFTER_MAX_S: '30',
};
/** Enough submissions to go well past the limit, whatever the sampling interval lets through before it closes. */
const MAX_ATTEMPTS = 300;
const REFUSALS_WANTED = 10;

interface Outcome {
  readonly aanleverkenmerk: string;
  readonly replica: number;
  readonly status: number;
  readonly kenmerk?: string;
  readonly retryAfter?: string;
  readonly body: Record<string, unknown>;
}

describe('overload: busy answers while the chain is behind, recovery by itself, nothing accepted lost', () => {
  let e2e: E2eChain;
  let aanlever: WusClient;
  const outcomes: Outcome[] = [];
  let attempt = 0;

  before(async () => {
    e2e = await E2eChain.start('overload', { replicas: { ingress: 2 }, env: BUSY_ENV });
    aanlever = await wusClient(e2e.pki, `${e2e.chain.url('ingress', 1)}/wus/2.0/aanleverservice/1.2`);
  });
  after(async () => {
    await e2e?.stop();
  });

  /** One REST submission, to the ingress replicas in turn. */
  const submit = async (): Promise<Outcome> => {
    const urls = e2e.ingressUrls();
    const replica = attempt++ % urls.length;
    const body = aanlevering('e-factuur', SAMPLES.invoice, { aanleverkenmerk: `overload-${attempt}` });
    const response = await e2e.client('sender-a').send<Record<string, unknown>>('POST', `${urls[replica]}/api/v1/aanleveren`, body);
    const retryAfter = response.headers['retry-after'];
    const outcome: Outcome = {
      aanleverkenmerk: body.aanleverkenmerk,
      replica,
      status: response.status,
      body: response.body,
      ...(response.status === 200 ? { kenmerk: String(response.body.kenmerk) } : {}),
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
    outcomes.push(outcome);
    return outcome;
  };

  const accepted = () => outcomes.filter((outcome) => outcome.status === 200);
  const refused = () => outcomes.filter((outcome) => outcome.status === 503);

  test('the chain falls behind: both replicas refuse with 503 ALS400 OVERBELAST and a Retry-After, WUS with the busy fault', async () => {
    await e2e.chain.stopService('validation');
    const startedAt = Date.now();
    // Each replica samples on its own schedule: one may close a moment before the other.
    const bothRefused = () => new Set(refused().map((outcome) => outcome.replica)).size === 2;
    while ((refused().length < REFUSALS_WANTED || !bothRefused()) && attempt < MAX_ATTEMPTS) {
      const outcome = await submit();
      assert.ok([200, 503].includes(outcome.status), `a submission is accepted or refused as busy, not ${outcome.status}: ${JSON.stringify(outcome.body)}`);
    }
    const busyAfterMs = Date.now() - startedAt;
    assert.ok(refused().length >= REFUSALS_WANTED, `refused as busy within ${MAX_ATTEMPTS} submissions`);
    assert.ok(accepted().length > MAX_LAG, `more than the lag limit was accepted before the chain was judged behind (${accepted().length})`);
    assert.deepEqual(new Set(refused().map((outcome) => outcome.replica)), new Set([0, 1]), 'each replica refuses on its own verdict');
    for (const outcome of refused()) {
      assert.equal(outcome.body.code, 'ALS400');
      assert.match(String(outcome.body.message), /^Poort is overbelast: .*Lever dit bericht over \d+ seconden? opnieuw aan\.$/);
      const details = outcome.body.details as { belasting: string; retryAfterSeconds: number; description: string };
      assert.equal(details.belasting, 'OVERBELAST');
      assert.match(details.description, /^Poort is overloaded/);
      assert.match(outcome.retryAfter ?? '', /^\d+$/, 'a Retry-After in whole seconds');
      assert.equal(Number(outcome.retryAfter), details.retryAfterSeconds);
      assert.ok(details.retryAfterSeconds >= 1 && details.retryAfterSeconds <= 30);
    }

    const wusKenmerk = 'overload-wus';
    await assert.rejects(
      aanlever.call('aanleveren', {
        berichtsoort: 'e-factuur',
        aanleverkenmerk: wusKenmerk,
        identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
        rolBelanghebbende: 'Bedrijf',
        berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: SAMPLES.invoice.toString('base64') },
      }),
      (error: Error & { response?: { status?: number; headers?: Record<string, string> } }) => {
        const fault = aanlever.responses.at(-1) ?? '';
        assert.match(fault, /<faultcode>[^<]*Server<\/faultcode>/);
        assert.match(fault, /<[^>]*foutcode>ALS400<\/[^>]*foutcode>/);
        assert.match(fault, /Poort is overbelast/);
        assert.equal(error.response?.status, 500);
        assert.match(String(error.response?.headers?.['retry-after']), /^\d+$/);
        return true;
      },
    );
    outcomes.push({ aanleverkenmerk: wusKenmerk, replica: 1, status: 503, body: {} });
    console.log(`overload: ${accepted().length} accepted, ${refused().length} refused (REST + WUS) after ${busyAfterMs} ms with validation stopped`);
  });

  test('status reads stay available while submissions are refused', async () => {
    const first = accepted()[0]!;
    const statuses = await e2e.statuses(first.kenmerk!);
    assert.deepEqual(statuses.map((status) => status.statuscode).slice(0, 3), ['100', '110', '200']);
    const busy = await e2e.get('ingress', '/metrics');
    assert.match(busy.text(), /^poort_ingress_busy\{[^}]*\} 1$/m);
    assert.match(busy.text(), /^poort_ingress_busy_refusals_total\{[^}]*reason="chain"[^}]*\} \d+$/m);
    assert.match(busy.text(), /^poort_ingress_chain_lag\{[^}]*group="poort-validation"[^}]*\} (\d+)$/m);
  });

  test('once validation is back and the chain drains, ingress accepts again by itself', async () => {
    const restartedAt = Date.now();
    await e2e.chain.startService('validation');
    const first = await waitFor('a submission accepted again', async () => {
      const outcome = await submit();
      if (outcome.status === 200) return outcome;
      assert.equal(outcome.status, 503, JSON.stringify(outcome.body));
      await sleep(250);
      return undefined;
    }, 120_000, 0);
    const recoveredMs = Date.now() - restartedAt;
    // And the other replica too: its own sampler has seen the chain catch up.
    const other = await waitFor('the other replica accepts again', async () => {
      const outcome = await submit();
      return outcome.status === 200 && outcome.replica !== first.replica ? outcome : undefined;
    }, 30_000, 250);
    assert.equal(other.status, 200);
    const metrics = await e2e.get('ingress', '/metrics');
    assert.match(metrics.text(), /^poort_ingress_busy\{[^}]*\} 0$/m);
    console.log(`overload: accepted again ${recoveredMs} ms after validation was restarted; ${accepted().length} accepted, ${refused().length} refused in all`);
  });

  test('every accepted message reaches 400 exactly once; every refused one left nothing', async () => {
    const kenmerken = accepted().map((outcome) => outcome.kenmerk!);
    await waitFor('every accepted message delivered', async () => {
      const { rows } = await e2e.db.query<{ n: number }>(
        "SELECT count(DISTINCT kenmerk)::int AS n FROM status_history WHERE statuscode = '400' AND kenmerk = ANY($1)",
        [kenmerken],
      );
      return rows[0]!.n === kenmerken.length ? true : undefined;
    }, 180_000, 500);
    for (const kenmerk of kenmerken) {
      const statuses = await e2e.statuses(kenmerk);
      assert.deepEqual(statuses.map((status) => status.statuscode), ['100', '110', '200', '301', '405', '400'], kenmerk);
    }
    const { rows: stored } = await e2e.db.query<{ aanleverkenmerk: string; kenmerk: string }>('SELECT aanleverkenmerk, kenmerk FROM messages');
    assert.deepEqual(stored.map((row) => row.kenmerk).sort(), [...kenmerken].sort(), 'the messages are exactly the accepted ones, each once');
    const refusedKeys = new Set(refused().map((outcome) => outcome.aanleverkenmerk));
    assert.equal(stored.filter((row) => refusedKeys.has(row.aanleverkenmerk)).length, 0, 'no refused submission was stored');
    const recipient = e2e.recipient('belastingdienst');
    assert.equal(kenmerken.filter((kenmerk) => recipient.forKenmerk(kenmerk)).length, kenmerken.length);
    assert.equal(recipient.deliveries.size, kenmerken.length, 'delivered once each, and nothing else');
  });
});
