import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';

const aanlevering = (aanleverkenmerk: string) => ({
  berichtsoort: 'Omzetbelasting',
  aanleverkenmerk,
  identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
  rolBelanghebbende: 'Bedrijf',
  berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'omzetbelasting.xbrl', inhoud: SAMPLES.vatInstance.toString('base64') },
});

/** The fault a soap client rejected with, as text: its detail carries the foutcode and foutbeschrijving. */
const faultText = (error: unknown): string => JSON.stringify((error as { root?: unknown }).root ?? (error as Error).message);

/**
 * Older Digipoort clients sign with RSA-SHA1 and SHA-1 digests. The `soap` package's client, set up as such a client
 * is, must be refused by default with a fault that names the operator setting, and work unchanged once the operator
 * turns the setting on, on both WUS services.
 */
describe('WUS legacy algorithms: RSA-SHA1 only behind the operator setting WUS_ALLOW_SHA1', () => {
  describe('by default', () => {
    let e2e: E2eChain;
    let aanlever: WusClient;

    before(async () => {
      e2e = await E2eChain.start('wus-sha1-off', { services: ['ingress'] });
      aanlever = await wusClient(e2e.pki, `${e2e.chain.url('ingress')}/wus/2.0/aanleverservice/1.2`, 'sender-a', 'legacy-sha1');
    });
    after(async () => {
      await e2e?.stop();
    });

    test('an RSA-SHA1-signed aanleveren is refused with 0002, naming the setting, and nothing is stored', async () => {
      const before = await e2e.count('messages');
      await assert.rejects(aanlever.call('aanleveren', aanlevering('sha1-off-1')), (error: unknown) => {
        const text = faultText(error);
        assert.match(text, /"foutcode":"0002"/, text);
        assert.match(text, /SHA-1.*WUS_ALLOW_SHA1=true.*WSS_ALGORITHM/, text);
        return true;
      });
      assert.equal(await e2e.count('messages'), before);
      // A fault from inside the WUS endpoint is counted by its code like every other refusal.
      assert.match((await e2e.get('ingress', '/metrics')).text(), /poort_requests_refused_total\{code="0002",service="ingress"\} 1/);
    });
  });

  describe('with WUS_ALLOW_SHA1=true', () => {
    let e2e: E2eChain;
    let aanlever: WusClient;
    let status: WusClient;

    before(async () => {
      e2e = await E2eChain.start('wus-sha1-on', { services: ['ingress', 'notification'], env: { WUS_ALLOW_SHA1: 'true' } });
      aanlever = await wusClient(e2e.pki, `${e2e.chain.url('ingress')}/wus/2.0/aanleverservice/1.2`, 'sender-a', 'legacy-sha1');
      status = await wusClient(e2e.pki, `${e2e.chain.url('notification')}/wus/2.0/statusinformatieservice/1.2`, 'sender-a', 'legacy-sha1');
    });
    after(async () => {
      await e2e?.stop();
    });

    test('both services say at start that legacy algorithms are on', () => {
      for (const service of ['ingress', 'notification'] as const) {
        const lines = readFileSync(e2e.chain.logFile(service), 'utf8').split('\n').filter((line) => line.includes('legacy WS-Security algorithms are on'));
        assert.equal(lines.length, 1, `${service} logs the setting once`);
        assert.equal(JSON.parse(lines[0]!).level, 'warn');
      }
    });

    test('the same RSA-SHA1-signed client submits with aanleveren and reads its statuses with getStatussenProces', async () => {
      const receipt = await aanlever.call<{ kenmerk: string; statuscode?: string }>('aanleveren', aanlevering('sha1-on-1'));
      assert.match(receipt.kenmerk, /^[0-9a-f-]{36}$/);
      assert.equal(receipt.statuscode, '100');
      const codes = await waitFor('statuses 100 and 110 over getStatussenProces', async () => {
        const result = await status.call<{ getStatussenProcesReturn?: { StatusResultaat?: { statuscode: string }[] | { statuscode: string } } }>(
          'getStatussenProces',
          { kenmerk: receipt.kenmerk },
        );
        const seen = [result.getStatussenProcesReturn?.StatusResultaat ?? []].flat().map((resultaat) => resultaat.statuscode);
        return seen.includes('110') ? seen : undefined;
      }, 20_000, 300);
      assert.deepEqual(codes, ['100', '110']);
    });
  });
});
