import { messageReference, type StatusSubject } from './envelope.js';
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

/** A status as the step that reached it describes it; the event's id and time are added when it is emitted. */
export type StatusRecord = Omit<StatusChanged, 'eventId' | 'occurredAt'>;

/** The status a message reaches at one step: its statusId is the same however often the step runs. */
export function statusRecord(envelope: StatusSubject, input: StatusInput): StatusRecord {
  const definition = STATUS_DEFINITIONS[input.code];
  return {
    statusId: [envelope.kenmerk, input.code, input.scope].filter(Boolean).join(':'),
    ...messageReference(envelope),
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    statuscode: input.code,
    statusomschrijving: definition.omschrijving,
    tijdstempelStatus: (input.at ?? new Date()).toISOString(),
    statusFoutcode: input.fout,
    statusdetails: input.details,
    final: input.final ?? definition.final,
  };
}
