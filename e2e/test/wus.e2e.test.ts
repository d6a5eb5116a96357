import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES } from '../src/index.js';
import { wusClient, type WusClient } from '../src/wus-client.js';
import { validateAgainstKoppelvlak, verifyResponseSignature } from '../src/wus-response-checks.js';

interface StatusResultaat {
  kenmerk: string;
  statuscode: string;
}
interface StatusList {
  StatusResultaat?: StatusResultaat[] | StatusResultaat;
}
const codes = (list: StatusList | undefined | null): string[] => {
  const items = list?.StatusResultaat;
  return (Array.isArray(items) ? items : items ? [items] : []).map((status) => status.statuscode);
};

describe('WUS: a client generated from the published WSDLs by the soap package, against the running chain', () => {
  let e2e: E2eChain;
  let aanlever: WusClient;
  let status: WusClient;

  before(async () => {
    e2e = await E2eChain.start('wus');
    aanlever = await wusClient(e2e.pki, `${e2e.chain.url('ingress')}/wus/2.0/aanleverservice/1.2`);
    status = await wusClient(e2e.pki, `${e2e.chain.url('notification')}/wus/2.0/statusinformatieservice/1.2`);
  });
  after(async () => {
    await e2e?.stop();
  });

  test('aanleveren of the XBRL VAT return, then the statuses to 400 with getStatussenProces and getNieuweStatussenProces', async () => {
    const receipt = await aanlever.call<{ kenmerk: string; statuscode?: string }>('aanleveren', {
      berichtsoort: 'Omzetbelasting',
      aanleverkenmerk: 'wus-e2e-1',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'omzetbelasting.xbrl', inhoud: SAMPLES.vatInstance.toString('base64') },
    });
    assert.match(receipt.kenmerk, /^[0-9a-f-]{36}$/);
    assert.equal(receipt.statuscode, '100');

    const statuses = await waitFor('status 400 over getStatussenProces', async () => {
      const result = await status.call<{ getStatussenProcesReturn?: StatusList }>('getStatussenProces', { kenmerk: receipt.kenmerk });
      const seen = codes(result.getStatussenProcesReturn);
      return seen.includes('400') ? seen : undefined;
    }, 30_000, 300);
    assert.deepEqual(statuses, ['100', '110', '200', '301', '405', '400']);

    const first = await status.call<{ getNieuweStatussenProcesReturn?: StatusList }>('getNieuweStatussenProces', { kenmerk: receipt.kenmerk });
    assert.deepEqual(codes(first.getNieuweStatussenProcesReturn), ['100', '110', '200', '301', '405', '400']);
    const again = await status.call<{ getNieuweStatussenProcesReturn?: StatusList }>('getNieuweStatussenProces', { kenmerk: receipt.kenmerk });
    assert.deepEqual(codes(again.getNieuweStatussenProcesReturn), []);

    const delivered = await waitFor('delivery to belastingdienst', async () => e2e.recipient('belastingdienst').forKenmerk(receipt.kenmerk));
    assert.deepEqual(delivered.body, SAMPLES.vatInstance);
  });

  test('getProcessen and getBerichtsoorten see the sender\'s own submissions', async () => {
    const processen = await status.call<{ getProcessenReturn?: { ProcesResultaat?: unknown } }>('getProcessen', {
      berichtsoort: 'Omzetbelasting',
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    });
    assert.ok(processen.getProcessenReturn?.ProcesResultaat);
    const soorten = await status.call<{ getBerichtsoortenReturn?: { berichtsoort?: string | string[] } }>('getBerichtsoorten', {
      identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    });
    assert.deepEqual([soorten.getBerichtsoortenReturn?.berichtsoort].flat(), ['Omzetbelasting']);
  });

  test('an unknown process is a statusinformatieFault STS100', async () => {
    await assert.rejects(status.call('getStatussenProces', { kenmerk: 'bestaat-niet' }), (error: Error) => /STS100/.test(JSON.stringify((error as { root?: unknown }).root ?? error.message)));
  });

  test('every response the clients received validates against the published XSD and carries a signature that verifies', () => {
    const all = [...aanlever.responses, ...status.responses];
    assert.ok(all.length >= 6, `only ${all.length} responses captured`);
    for (const body of all) {
      assert.deepEqual(validateAgainstKoppelvlak(body), [], body.slice(0, 2000));
      const { signedParts, confirmations } = verifyResponseSignature(body, e2e.pki.server.cert);
      assert.ok(signedParts.some((part) => part.endsWith('Body')), `Body not signed: ${signedParts.join(', ')}`);
      for (const header of ['To', 'Action', 'MessageID', 'RelatesTo']) {
        assert.ok(signedParts.some((part) => part.endsWith(`:${header}`) || part === header), `wsa:${header} not signed: ${signedParts.join(', ')}`);
      }
      assert.equal(confirmations, 1);
    }
  });
});
