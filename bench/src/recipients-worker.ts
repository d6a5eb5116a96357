import { parentPort, workerData } from 'node:worker_threads';

import { TestRecipient } from '@poort/testing';

import type { RecipientsRequest, RecipientsWorkerData } from './recipients-thread.js';

// The recipients' side of the bench, in a thread of its own (see recipients-thread.ts).

const { ports } = workerData as RecipientsWorkerData;
const recipients = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, new TestRecipient(port)]));
const port = parentPort!;

port.on('message', (request: RecipientsRequest) => {
  void (async () => {
    if (request.type === 'kenmerken') {
      port.postMessage(Object.fromEntries(Object.entries(recipients).map(([name, recipient]) => [name, [...recipient.deliveries.values()].map((delivery) => delivery.kenmerk)])));
    } else {
      await Promise.all(Object.values(recipients).map((recipient) => recipient.stop()));
      port.postMessage('stopped');
    }
  })();
});

await Promise.all(Object.values(recipients).map((recipient) => recipient.start()));
port.postMessage(Object.fromEntries(Object.entries(recipients).map(([name, recipient]) => [name, recipient.url])));
