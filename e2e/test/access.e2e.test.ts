import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering, type HttpAnswer } from '../src/index.js';

// Access to data: the archive answers identified callers only (two-way TLS), a sender reads only the messages it
// sent, an operator (OPERATOR_OINS; the test PKI's `operator`) every message and the operator-only routes.

type Caller = Parameters<E2eChain['archive']>[1];

describe('access to data: the archive serves identified callers, each sender its own messages, operators all', () => {
  let e2e: E2eChain;
  /** A message of sender-a and one of sender-b, both archived. */
  let ofA: string;
  let ofB: string;

  before(async () => {
    // Ingress and the archive are all that a message needs to be archived.
    e2e = await E2eChain.start('access', { services: ['ingress', 'archive'] });
    ofA = await submitted('sender-a');
    ofB = await submitted('sender-b');
  });
  after(async () => {
    await e2e?.stop();
  });

  async function submitted(as: 'sender-a' | 'sender-b'): Promise<string> {
    const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice), as);
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await waitFor(`the archive to hold ${kenmerk}`, async () => ((await e2e.archive(kenmerk, 'operator')).status === 200 ? true : undefined));
    return kenmerk;
  }

  /** A refusal in Poort's shape with this status and code. */
  function refusedWith(answer: HttpAnswer, status: number, code: string): { code: string; message: string } {
    const body = answer.json<{ code: string; message: string }>();
    assert.deepEqual([answer.status, body.code], [status, code], answer.text());
    assert.equal(typeof body.message, 'string');
    return body;
  }

  const archivedEnvelope = (answer: HttpAnswer) => answer.json<{ envelope: { kenmerk: string; sender: { oin: string } }; statuses: { statuscode: string }[] }>();

  describe('who is calling: no certificate, or one that is not trusted, is refused with 401 before anything is read', () => {
    const cases: { as: Caller; code: string }[] = [
      { as: 'anonymous', code: 'CERT_MISSING' },
      { as: 'untrusted', code: 'CERT_UNTRUSTED' },
      { as: 'expired', code: 'CERT_EXPIRED' },
      { as: 'revoked', code: 'CERT_REVOKED' },
    ];
    for (const { as, code } of cases) {
      test(`${as}: 401 ${code} on the message, its content and the admin routes`, async () => {
        refusedWith(await e2e.archive(ofA, as), 401, code);
        refusedWith(await e2e.archive(ofA, as, '/content'), 401, code);
        refusedWith(await e2e.archive('bestaat-niet', as), 401, code);
        refusedWith(await e2e.get('archive', '/admin/v1/whoami', as), 401, code);
      });
    }

    test('health and metrics need no certificate', async () => {
      assert.equal((await e2e.get('archive', '/health/ready')).status, 200);
      assert.equal((await e2e.get('archive', '/metrics')).status, 200);
    });
  });

  describe('a sender reads its own messages only', () => {
    test('sender-a reads its message: envelope, history and content', async () => {
      const envelope = await e2e.archive(ofA, 'sender-a');
      assert.equal(envelope.status, 200, envelope.text());
      const body = archivedEnvelope(envelope);
      assert.equal(body.envelope.kenmerk, ofA);
      assert.equal(body.envelope.sender.oin, e2e.pki.clients['sender-a'].oin);
      assert.ok(body.statuses.length >= 1);
      const content = await e2e.archive(ofA, 'sender-a', '/content');
      assert.equal(content.status, 200);
      assert.deepEqual(content.body, SAMPLES.invoice);
      assert.equal(content.headers['x-content-sha256'], createHash('sha256').update(SAMPLES.invoice).digest('hex'));
    });

    test("sender-b gets 404 ARCHIVE_NOT_FOUND for sender-a's message, as for one that does not exist", async () => {
      const unknown = 'a0000000-0000-4000-8000-000000000000';
      const theirs = refusedWith(await e2e.archive(ofA, 'sender-b'), 404, 'ARCHIVE_NOT_FOUND');
      const none = refusedWith(await e2e.archive(unknown, 'sender-b'), 404, 'ARCHIVE_NOT_FOUND');
      // Nothing tells them apart but the kenmerk the caller gave.
      assert.deepEqual({ ...theirs, message: theirs.message.replace(ofA, '<k>') }, { ...none, message: none.message.replace(unknown, '<k>') });
      refusedWith(await e2e.archive(ofA, 'sender-b', '/content'), 404, 'ARCHIVE_NOT_FOUND');
      refusedWith(await e2e.archive(unknown, 'sender-b', '/content'), 404, 'ARCHIVE_NOT_FOUND');
      // And the other way round; a recipient is no sender of either.
      refusedWith(await e2e.archive(ofB, 'sender-a'), 404, 'ARCHIVE_NOT_FOUND');
      refusedWith(await e2e.archive(ofA, 'recipient-a'), 404, 'ARCHIVE_NOT_FOUND');
      // sender-b still reads its own.
      assert.equal((await e2e.archive(ofB, 'sender-b')).status, 200);
    });

    test('a kenmerk that Postgres cannot compare is still 400 ARCHIVE_KENMERK_INVALID for an identified caller', async () => {
      refusedWith(await e2e.archive('%00', 'sender-b'), 400, 'ARCHIVE_KENMERK_INVALID');
    });
  });

  describe('an operator reads every message and uses the operator-only routes', () => {
    test("the operator reads sender-a's and sender-b's messages and their content", async () => {
      for (const [kenmerk, sender] of [[ofA, 'sender-a'], [ofB, 'sender-b']] as const) {
        const envelope = await e2e.archive(kenmerk, 'operator');
        assert.equal(envelope.status, 200, envelope.text());
        assert.equal(archivedEnvelope(envelope).envelope.sender.oin, e2e.pki.clients[sender].oin);
        const content = await e2e.archive(kenmerk, 'operator', '/content');
        assert.equal(content.status, 200);
        assert.deepEqual(content.body, SAMPLES.invoice);
      }
      refusedWith(await e2e.archive('a0000000-0000-4000-8000-000000000000', 'operator'), 404, 'ARCHIVE_NOT_FOUND');
    });

    test('GET /admin/v1/whoami (RequireOperator): the operator gets its OIN and role; anyone else 403 ACCESS_DENIED', async () => {
      const whoami = await e2e.get('archive', '/admin/v1/whoami', 'operator');
      assert.equal(whoami.status, 200, whoami.text());
      const me = whoami.json<{ oin: string; role: string; subject: string }>();
      assert.deepEqual([me.oin, me.role], [e2e.pki.clients.operator.oin, 'operator']);
      assert.match(me.subject, /CN=operator/);
      for (const as of ['sender-a', 'sender-b', 'recipient-a'] as const) {
        const denied = refusedWith(await e2e.get('archive', '/admin/v1/whoami', as), 403, 'ACCESS_DENIED');
        assert.match(denied.message, new RegExp(e2e.pki.clients[as].oin));
      }
    });
  });

  test('afterwards: every refusal is counted by its code in the archive metrics, and none was a 500', async () => {
    const metrics = (await e2e.get('archive', '/metrics')).text();
    for (const code of ['CERT_MISSING', 'CERT_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'ARCHIVE_NOT_FOUND', 'ARCHIVE_KENMERK_INVALID', 'ACCESS_DENIED']) {
      assert.match(metrics, new RegExp(`poort_requests_refused_total\\{code="${code}",service="archive"\\} [1-9]`), code);
    }
    assert.doesNotMatch(metrics, /poort_requests_refused_total\{code="INTERNAL_ERROR"/);
    const unhandled = readFileSync(e2e.chain.logFile('archive'), 'utf8').split('\n').filter((line) => line.includes('"unhandled error'));
    assert.deepEqual(unhandled, []);
  });
});
