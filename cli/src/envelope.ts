import { basename } from 'node:path';

import { usageError } from './cli-error.js';
import type { EnvelopeDefaults } from './settings.js';

/** The koppelvlak fields of every submission of a run: all that aanleveren needs but the file. */
export interface Envelope {
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: { readonly nummer: string; readonly type: string };
  readonly rolBelanghebbende: string;
  readonly identiteitOntvanger?: { readonly nummer: string; readonly type: string };
  readonly rolOntvanger?: string;
  readonly autorisatieAdres?: string;
  readonly mimeType: string;
}

/** An identity on the command line: `type:nummer`, e.g. `Fi:001000044B37` or `OIN:00000001234567890000`. */
export function parseIdentiteit(flag: string, value: string): { nummer: string; type: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw usageError('USAGE_IDENTITEIT', `${flag} is type:nummer (e.g. Fi:001000044B37), not ${JSON.stringify(value)}`);
  return { type: value.slice(0, colon), nummer: value.slice(colon + 1) };
}

/** The run's envelope from config and flags (flags win); a missing required field is a usage error naming its flag. */
export function completeEnvelope(defaults: EnvelopeDefaults): Envelope {
  const missing = [
    defaults.berichtsoort ? undefined : '--berichtsoort',
    defaults.identiteitBelanghebbende ? undefined : '--belanghebbende',
    defaults.rolBelanghebbende ? undefined : '--rol',
  ].filter((flag) => flag !== undefined);
  if (missing.length > 0) throw usageError('USAGE_ENVELOPE', `the envelope needs ${missing.join(', ')} (or envelope: in the config file)`);
  return {
    berichtsoort: defaults.berichtsoort!,
    identiteitBelanghebbende: defaults.identiteitBelanghebbende!,
    rolBelanghebbende: defaults.rolBelanghebbende!,
    ...(defaults.identiteitOntvanger ? { identiteitOntvanger: defaults.identiteitOntvanger } : {}),
    ...(defaults.rolOntvanger ? { rolOntvanger: defaults.rolOntvanger } : {}),
    ...(defaults.autorisatieAdres ? { autorisatieAdres: defaults.autorisatieAdres } : {}),
    mimeType: defaults.mimeType ?? 'application/xml',
  };
}

/** The aanleverRequest (REST form) of one file. */
export function aanleverRequest(envelope: Envelope, file: { readonly path: string; readonly aanleverkenmerk: string }, content: Buffer): Record<string, unknown> {
  const { mimeType, ...fields } = envelope;
  return {
    ...fields,
    aanleverkenmerk: file.aanleverkenmerk,
    berichtInhoud: { mimeType, bestandsnaam: bestandsnaam(file.path), inhoud: content.toString('base64') },
  };
}

/** The koppelvlak's bestandsnaam: the file's own name, at most 80 characters (the end kept: it holds the extension). */
export function bestandsnaam(path: string): string {
  const name = basename(path);
  return name.length <= 80 ? name : name.slice(name.length - 80);
}
