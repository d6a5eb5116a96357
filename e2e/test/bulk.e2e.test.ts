import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { BulkClient, E2eChain, SAMPLES, aanlevering, type BulkAnswer } from '../src/index.js';

// Bulk aanleveren against the running chain: 1,000 invoices in one NDJSON stream over two-way TLS, three of them
// invalid. Each item is answered in input order; the 997 stored ones go through the chain as ordinary messages to
// status 400; the bulk status lists every item; the same bulk sent again stores and delivers nothing new.
// The invoices are of a type of this test's own: UBL 2.1 checked against the official schemas, to the Belastingdienst,
// without e-factuur's business rules and second recipient. The test is about the bulk: with the rules, 1,000 invoices
// spend minutes in validation on a 2-core machine, and nothing of that is the bulk's.

const BERICHTSOORT = 'bulk-factuur';

const ITEMS = 1_000;
/** The three invalid items: an empty rolBelanghebbende, a line that is not JSON, an unknown berichtsoort. */
const INVALID = new Map<number, string>([
  [100, 'rolBelanghebbende'],
  [500, 'geen JSON'],
  [900, 'onbekend'],
]);

interface ItemLine {
  index: number;
  aanleverkenmerk?: string;
  kenmerk?: string;
  fout?: { foutcode: string; foutbeschrijving: string };
}
interface StatusItem extends ItemLine {
  status?: { statuscode: string; tijdstempelStatus: string; eind: boolean };
}
interface BulkStatusBody {
  bulkId: string;
  afgerond: boolean;
  samenvatting: { geaccepteerd: number; geweigerd: number };
  items: StatusItem[];
  volgendeVanaf?: number;
}

describe('bulk aanleveren, end to end: 1,000 items in one stream over two-way TLS', () => {
  let e2e: E2eChain;
  let sender: BulkClient;
  const suffix = randomBytes(3).toString('hex');
  const lines = Array.from({ length: ITEMS }, (_, index) => {
    if (index === 500) return `{"berichtsoort":"${BERICHTSOORT}","aanleverkenmerk":`;
    const overrides: Record<string, unknown> = { aanleverkenmerk: `bulk-${suffix}-${index}` };
    if (index === 100) overrides.rolBelanghebbende = '';
    if (index === 900) overrides.berichtsoort = 'onbekend';
    return JSON.stringify(aanlevering(BERICHTSOORT, SAMPLES.invoice, overrides));
  });
  let first: BulkAnswer;
  let bulkId: string;

  before(async () => {
    e2e = await E2eChain.start('bulk', {
      extraConfig: {
        messageTypes: [
          {
            berichtsoort: BERICHTSOORT,
            description: 'a UBL invoice, schema-checked only, to one recipient',
            authorization: { allowedSenders: ['00000099000000000001'] },
            validation: { schema: 'standard:ubl-2.1.xsd' },
            routing: { routes: [{ recipient: 'belastingdienst' }] },
            delivery: { retryWindow: '1h' },
          },
        ],
      },
    });
    sender = new BulkClient(e2e.pki, 'sender-a');
  });
  after(async () => {
    await sender?.close();
    await e2e?.stop();
  });

  const items = (answer: BulkAnswer) => answer.lines.filter((line) => 'index' in line) as unknown as ItemLine[];

  /** Every item of the bulk's status, page by page (400 a page, so that paging is used). */
  const bulkStatus = async (as: 'sender-a' | 'operator' = 'sender-a'): Promise<{ status: BulkStatusBody; items: StatusItem[] }> => {
    const all: StatusItem[] = [];
    let page: BulkStatusBody | undefined;
    for (let vanaf: number | undefined = 0; vanaf !== undefined; vanaf = page.volgendeVanaf) {
      const answer = await e2e.get('ingress', `/api/v1/bulk/${bulkId}?vanaf=${vanaf}&aantal=400`, as);
      assert.equal(answer.status, 200, answer.text());
      page = answer.json<BulkStatusBody>();
      all.push(...page.items);
    }
    return { status: page!, items: all };
  };

  test('997 kenmerken and 3 coded refusals come back, line by line in input order, with a summary', async () => {
    first = await sender.submit(e2e.chain.url('ingress'), lines);
    assert.equal(first.status, 200, JSON.stringify(first.lines.slice(0, 3)));
    assert.match(String(first.headers['content-type']), /^application\/x-ndjson/);
    const answered = items(first);
    assert.deepEqual(answered.map((line) => line.index), Array.from({ length: ITEMS }, (_, index) => index));
    const refused = answered.filter((line) => line.fout);
    assert.deepEqual(refused.map((line) => line.index), [...INVALID.keys()]);
    for (const line of refused) {
      assert.equal(line.fout!.foutcode, 'ALS100');
      assert.match(line.fout!.foutbeschrijving, new RegExp(INVALID.get(line.index)!));
      assert.equal(line.kenmerk, undefined);
    }
    const accepted = answered.filter((line) => line.kenmerk);
    assert.equal(accepted.length, 997);
    assert.equal(new Set(accepted.map((line) => line.kenmerk)).size, 997);
    for (const line of accepted) assert.equal(line.aanleverkenmerk, `bulk-${suffix}-${line.index}`);

    const summary = first.lines.at(-1) as { samenvatting: { bulkId: string; geaccepteerd: number; geweigerd: number } };
    assert.equal(first.lines.length, ITEMS + 1);
    bulkId = summary.samenvatting.bulkId;
    assert.deepEqual(summary, { samenvatting: { bulkId, geaccepteerd: 997, geweigerd: 3 } });
    assert.equal(first.headers.location, `/api/v1/bulk/${bulkId}`);
    assert.equal(await e2e.count('messages'), 997);
  });

  test('all 997 reach status 400 as ordinary messages, and the bulk status shows every item', async () => {
    const done = await waitFor(
      'every stored item of the bulk at status 400',
      async () => {
        const { status, items } = await bulkStatus();
        return items.filter((item) => item.status?.statuscode === '400').length === 997 ? { status, items } : undefined;
      },
      280_000,
      2_000,
    );
    assert.equal(done.status.afgerond, true);
    assert.deepEqual(done.status.samenvatting, { geaccepteerd: 997, geweigerd: 3 });
    assert.equal(done.items.length, ITEMS);
    const byIndex = new Map(items(first).map((line) => [line.index, line]));
    for (const item of done.items) {
      const answered = byIndex.get(item.index)!;
      assert.equal(item.kenmerk, answered.kenmerk);
      assert.deepEqual(item.fout, answered.fout);
      if (item.kenmerk) assert.equal(item.status?.eind, true);
    }
    // An item is an ordinary message: its own history at the status service.
    const one = items(first).find((line) => line.kenmerk)!;
    assert.deepEqual((await e2e.statuses(one.kenmerk!)).at(-1)?.statuscode, '400');
    assert.ok(e2e.recipient('belastingdienst').forKenmerk(one.kenmerk!));
  });

  test('the same bulk again creates nothing new: the same kenmerken, no new messages or deliveries', async () => {
    const before = { messages: await e2e.count('messages'), deliveries: await e2e.count('deliveries'), received: e2e.recipient('belastingdienst').deliveries.size };
    const again = await sender.submit(e2e.chain.url('ingress'), lines, 1000);
    assert.equal(again.status, 200);
    assert.deepEqual(items(again), items(first));
    const summary = again.lines.at(-1) as { samenvatting: { bulkId: string; geaccepteerd: number; geweigerd: number } };
    assert.notEqual(summary.samenvatting.bulkId, bulkId);
    assert.equal(summary.samenvatting.geaccepteerd, 997);
    // Give a wrongly stored duplicate time to travel: nothing may arrive.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.deepEqual(
      { messages: await e2e.count('messages'), deliveries: await e2e.count('deliveries'), received: e2e.recipient('belastingdienst').deliveries.size },
      before,
    );
  });

  test("another sender cannot read the bulk (404, as for none); an operator can; no certificate is 401", async () => {
    const other = await e2e.get('ingress', `/api/v1/bulk/${bulkId}`, 'sender-b');
    assert.equal(other.status, 404);
    assert.equal(other.json<{ code: string }>().code, 'STS100');
    const operator = await bulkStatus('operator');
    assert.equal(operator.items.length, ITEMS);
    assert.equal((await e2e.get('ingress', `/api/v1/bulk/${bulkId}`, 'anonymous')).status, 401);
  });

  test('a client gone mid-stream keeps what was acknowledged: those items are stored and listed, the bulk never completes', async () => {
    const unfinished = Array.from({ length: 200 }, (_, index) => JSON.stringify(aanlevering(BERICHTSOORT, SAMPLES.invoice, { aanleverkenmerk: `weg-${suffix}-${index}` })));
    const answer = await sender.submitAndGoAway(e2e.chain.url('ingress'), unfinished, 20);
    assert.equal(answer.status, 200);
    const acknowledged = items(answer);
    assert.ok(acknowledged.length >= 20, `${acknowledged.length} answer lines`);
    assert.ok(answer.lines.every((line) => !('samenvatting' in line)));
    const location = String(answer.headers.location);
    const status = await waitFor('the server to notice the client is gone', async () => {
      const response = await e2e.get('ingress', location, 'sender-a');
      const body = response.json<BulkStatusBody>();
      return body.items.length >= acknowledged.length ? body : undefined;
    });
    assert.equal(status.afgerond, false);
    const listed = new Map(status.items.map((item) => [item.index, item.kenmerk]));
    for (const line of acknowledged) assert.equal(listed.get(line.index), line.kenmerk);
    const { rows } = await e2e.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM messages WHERE kenmerk = ANY($1::text[])', [acknowledged.map((line) => line.kenmerk)]);
    assert.equal(rows[0]!.n, acknowledged.length);
  });
});
