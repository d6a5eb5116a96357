import type { Envelope } from '../envelope.js';
import type { PoortHttp } from '../poort-http.js';
import type { TransportName } from '../transport-choice.js';

/** A file ready to go: named, hashed, and with the aanleverkenmerk that makes sending it again harmless. */
export interface SubmissionItem {
  /** As the journal names it: relative to the journal's folder. */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly sha256: string;
  readonly aanleverkenmerk: string;
}

/** What Poort said of one file: a receipt, or a coded refusal of that file alone. */
export type ItemOutcome =
  | { readonly kind: 'acknowledged'; readonly kenmerk: string }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

/** Why nothing moves for a while (shown in the progress line). */
export type Waiting = (why: string) => void;

/** What every transport is made with: Poort's ingress, the envelope of every file, and how many at a time. */
export interface TransportSetup {
  readonly http: PoortHttp;
  readonly ingress: URL;
  readonly envelope: Envelope;
  readonly concurrency: number;
  readonly waiting: Waiting;
}

/**
 * One way of getting files to Poort. `submit` reports each file's outcome as it comes and returns when every file has
 * one; it throws a CliError only for what stops the whole run (TLS, a certificate Poort refuses, Poort unreachable).
 * Every call it makes is safe to repeat: each file carries its aanleverkenmerk.
 */
export interface Transport {
  readonly name: TransportName;
  submit(items: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void>;
}
