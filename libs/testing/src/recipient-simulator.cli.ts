import { TestRecipient } from './test-recipient.js';

// Local recipient endpoints for scripts/start.sh: each port given becomes a recipient that accepts deliveries
// and lists them at GET /received.
const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || ports.some((port) => !Number.isInteger(port))) {
  console.error('usage: recipient-simulator.cli.js <port> [port…]');
  process.exit(64);
}
for (const port of ports) {
  await new TestRecipient(port).start();
  console.log(JSON.stringify({ level: 'info', service: 'recipient-simulator', msg: `recipient listening on http://127.0.0.1:${port}/inbox` }));
}
