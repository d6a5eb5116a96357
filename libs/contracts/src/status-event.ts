import { randomUUID } from 'node:crypto';

import type { Envelope } from './envelope.js';
import type { Foutmelding, StatusChanged } from './events.js';
import { STATUS_DEFINITIONS, type StatusCode } from './status-codes.js';

export interface StatusInput {
  readonly code: StatusCode;
  /** Distinguishes repeated steps of one code, e.g. one 420 per recipient. Part of the statusId. */
  readonly scope?: string;
  readonly fout?: Foutmelding;
  readonly details?: string;
  /** Overrides the code's own finality (a 420 becomes final when the retry window ends). */
  readonly final?: boolean;
  readonly at?: Date;
}

export function statusEvent(envelope: Envelope, input: StatusInput): StatusChanged {
  const definition = STATUS_DEFINITIONS[input.code];
  const at = (input.at ?? new Date()).toISOString();
  return {
    eventId: randomUUID(),
    occurredAt: at,
    statusId: [envelope.kenmerk, input.code, input.scope].filter(Boolean).join(':'),
    kenmerk: envelope.kenmerk,
    berichtsoort: envelope.berichtsoort,
    senderOin: envelope.sender.oin,
    aanleverkenmerk: envelope.aanleverkenmerk,
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    statuscode: input.code,
    statusomschrijving: definition.omschrijving,
    tijdstempelStatus: at,
    statusFoutcode: input.fout,
    statusdetails: input.details,
    final: input.final ?? definition.final,
  };
}
