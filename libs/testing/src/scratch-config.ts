import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';

/** A message type of its own for one test scenario, routed only to the recipient of the same name. */
export interface ScenarioType {
  /** Retry window and back-off as the message-type YAML spells them (e.g. '2s', '300ms'). */
  readonly retryWindow: string;
  /** The recipients the type is routed to (default: the recipient of the same name). */
  readonly routes?: readonly string[];
  readonly initialBackoff?: string;
  readonly maxBackoff?: string;
  /** The type is for subscribers only: it has no routes (`routes` is ignored). */
  readonly subscribersOnly?: boolean;
  /** More of the scenario recipient's delivery profile (e.g. certificate, sign), as recipients.yaml spells it. */
  readonly profile?: Readonly<Record<string, unknown>>;
}

/** Recipients and message types of a test's own, as their YAML files spell them, added to the shipped ones. */
export interface ExtraConfig {
  readonly recipients?: readonly Record<string, unknown>[];
  readonly messageTypes?: readonly (Record<string, unknown> & { readonly berichtsoort: string })[];
}

/**
 * The shipped configuration (config/) copied to a temporary directory, with recipient endpoints pointed at test
 * recipients (id → URL) and one extra message type per scenario (id → its delivery policy): what a test's services
 * load as POORT_CONFIG_DIR.
 */
export function scratchConfig(
  root: string,
  endpoints: ReadonlyMap<string, string>,
  scenarios: Readonly<Record<string, ScenarioType>> = {},
  extra: ExtraConfig = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'poort-config-'));
  cpSync(join(root, 'config/schemas'), join(dir, 'schemas'), { recursive: true });
  mkdirSync(join(dir, 'message-types'));
  for (const file of readdirSync(join(root, 'config/message-types'))) {
    cpSync(join(root, 'config/message-types', file), join(dir, 'message-types', file));
  }
  const shipped = parse(readFileSync(join(root, 'config/recipients.yaml'), 'utf8').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')) as {
    recipients: { id: string; endpoint: string }[];
  };
  const recipients: Record<string, unknown>[] = shipped.recipients.map((recipient) => ({
    ...recipient,
    endpoint: endpoints.get(recipient.id) ?? recipient.endpoint,
  }));
  for (const [id, scenario] of Object.entries(scenarios)) {
    const endpoint = endpoints.get(id);
    if (!endpoint) throw new Error(`scenario ${id} has no recipient endpoint`);
    recipients.push({ id, name: `scenario ${id}`, oin: '00000099000000000199', endpoint, timeout: '2s', ...scenario.profile });
    writeFileSync(
      join(dir, 'message-types', `${id}.yaml`),
      stringify({
        berichtsoort: id,
        description: `test scenario ${id}`,
        authorization: { allowedSenders: ['00000099000000000001'] },
        validation: { schema: 'standard:ubl-2.1.xsd' },
        routing: scenario.subscribersOnly ? { subscribersOnly: true } : { routes: (scenario.routes ?? [id]).map((recipient) => ({ recipient })) },
        delivery: { retryWindow: scenario.retryWindow, initialBackoff: scenario.initialBackoff ?? '300ms', maxBackoff: scenario.maxBackoff ?? '1s' },
      }),
    );
  }
  recipients.push(...(extra.recipients ?? []));
  for (const type of extra.messageTypes ?? []) writeFileSync(join(dir, 'message-types', `extra-${type.berichtsoort}.yaml`), stringify(type));
  writeFileSync(join(dir, 'recipients.yaml'), stringify({ recipients }));
  return dir;
}
