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

/**
 * One way of getting files to Poort. `submit` reports each file's outcome as it comes and returns when every file has
 * one; it throws a CliError only for what stops the whole run (TLS, a certificate Poort refuses, Poort unreachable).
 * Every call it makes is safe to repeat: each file carries its aanleverkenmerk.
 */
export interface Transport {
  readonly name: TransportName;
  submit(items: readonly SubmissionItem[], report: (item: SubmissionItem, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void>;
}
