import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MessageCatalog } from '@poort/message-types';

/** A recipient of the test catalog: id and the OIN of its certificate. */
export const RECIPIENTS = {
  archief: '00000099000000000101',
  ledger: '00000099000000000101',
  'gemeente-a': '00000099000000000101',
  'gemeente-b': '00000099000000000101',
  bzk: '00000099000000000102',
  'twee-a': '00000099000000000103',
  'twee-b': '00000099000000000103',
} as const;

const type = (berichtsoort: string, transformation: string, routing: string, more = '') => `berichtsoort: ${berichtsoort}
description: test type ${berichtsoort}
authorization: { allowedSenders: ["00000099000000000001"] }
validation: { schema: schemas/any.xsd }
transformation: ${transformation}
${more}routing:
${routing}
delivery: { retryWindow: 1h, initialBackoff: 1s, maxBackoff: 10s }
`;

/**
 * Message types of the routing tests: fan-out (transformed, two routes), per-ontvanger (routes by identiteitOntvanger),
 * renditions (the type's own rendition and CII for one identiteitOntvanger), cii-abonnees (CII offered to subscribers), plain (no transformation, one route) and
 * alleen-abonnees (subscribers only).
 */
export function testCatalog(): { catalog: MessageCatalog; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'poort-routing-'));
  mkdirSync(join(dir, 'schemas'));
  mkdirSync(join(dir, 'message-types'));
  writeFileSync(join(dir, 'schemas/any.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
  const recipients = Object.entries(RECIPIENTS).map(([id, oin]) => `  - { id: ${id}, name: ${id}, oin: "${oin}", endpoint: "http://127.0.0.1:1/${id}" }`);
  writeFileSync(join(dir, 'recipients.yaml'), `recipients:\n${recipients.join('\n')}\n`);
  const files: Record<string, string> = {
    'fan-out': type(
      'fan-out',
      'ubl-invoice-to-json',
      '  routes:\n    - { recipient: archief, format: original }\n    - { recipient: ledger, format: transformed }\n    - { recipient: archief, format: transformed }',
    ),
    'per-ontvanger': type(
      'per-ontvanger',
      'none',
      '  routes:\n    - { recipient: gemeente-a, whenOntvanger: "0001" }\n    - { recipient: gemeente-b, whenOntvanger: "0002" }\n    - { recipient: archief }',
    ),
    renditions: type(
      'renditions',
      'ubl-invoice-to-json',
      '  routes:\n    - { recipient: archief }\n    - { recipient: ledger, format: transformed }\n    - { recipient: gemeente-a, format: ubl-invoice-to-cii, whenOntvanger: "0001" }',
    ),
    'cii-abonnees': type('cii-abonnees', 'ubl-invoice-to-json', '  routes:\n    - { recipient: archief }', 'subscriberRenditions: [ubl-invoice-to-cii]\n'),
    plain: type('plain', 'none', '  routes:\n    - { recipient: archief }'),
    'alleen-abonnees': type('alleen-abonnees', 'ubl-invoice-to-json', '  subscribersOnly: true'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'message-types', `${name}.yaml`), text);
  return { catalog: MessageCatalog.load(dir, {}), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
