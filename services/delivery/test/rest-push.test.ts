import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { join } from 'node:path';

import { generateTestPki } from '@poort/pki';
import { anEnvelope, requiredEnv } from '@poort/testing';

import { RestPushChannel } from '../src/delivery/channels/rest-push.js';
import { DeliveryCredentials } from '../src/delivery/delivery-credentials.js';
import { NO_STORED_FILES } from './attempt-fixture.js';

// A recipient that answers the first request on each connection and keeps it open, then closes it without an answer
// when a second request comes on it: what a server does whose keep-alive timeout ends just as the client reuses the
// connection. Plain TCP, so that the moment is not left to timers.
let server: Server;
let port = 0;
const requestsPerConnection: number[] = [];
const sockets = new Set<Socket>();

before(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const index = requestsPerConnection.push(0) - 1;
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      // One request per test, small: its end is the end of its body (content-length bytes after the headers).
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, headerEnd))?.[1] ?? 0);
      if (buffered.length < headerEnd + 4 + length) return;
      buffered = '';
      requestsPerConnection[index]! += 1;
      if (requestsPerConnection[index] === 1) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}');
      } else {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('RestPushChannel', () => {
  it('sends again at once on a new connection when the kept-alive one was closed under it', async () => {
    const recipient = { id: 'stale', name: 'Stale', oin: '00000001000000000000', channel: "rest" as const, endpoint: `http://127.0.0.1:${port}/inbox`, timeout: 5_000, sign: false, encrypt: false, attachments: true, concurrency: 8 };
    const body = Buffer.from('<Invoice/>');
    const payload = { id: 'p', size: body.byteLength, sha256: '0'.repeat(64), mimeType: 'application/xml', bestandsnaam: 'f.xml' };
    const envelope = anEnvelope();
    const pki = await generateTestPki(join(requiredEnv('POORT_ROOT'), '.local/test-pki'), { ifMissing: true });
    const channel = new RestPushChannel(DeliveryCredentials.load({ trustFile: pki.caChain }, [recipient]), [recipient]);
    try {
      assert.deepEqual(await channel.deliver({ recipient, envelope, payload, content: body, ...NO_STORED_FILES }), { kind: 'delivered', httpStatus: 200 });
      // The second goes out on the kept connection, which the recipient closes; it arrives on a new one.
      assert.deepEqual(await channel.deliver({ recipient, envelope, payload, content: body, ...NO_STORED_FILES }), { kind: 'delivered', httpStatus: 200 });
      assert.deepEqual(requestsPerConnection, [2, 1]);
    } finally {
      channel.close();
    }
  });
});
