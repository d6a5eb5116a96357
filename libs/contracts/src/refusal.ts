/**
 * One vocabulary of error codes for every channel (REST, WUS, Kafka, logs):
 * - Digipoort's codes where Digipoort has one: the foutcodes of FOUTCODE (ALS100, STS100, VAS500, AFS600, …) for
 *   what the koppelvlak refuses or fails, and the generic WUS codes 0001–0011 (WUS_CODE in @poort/wus) for SOAP
 *   envelopes, addressing and WS-Security.
 * - Poort's own codes everywhere else, in one style: AREA_REASON, upper snake case, the area naming the part that
 *   refuses: CERT_ (client and signing certificates), XML_ (parsing, schemas), WSS_ (WS-Security), PAYLOAD_ (the
 *   claim check), EVENT_ (Kafka events), CONFIG_ (start-up), ARCHIVE_, HTTP_<status> (refusals of the HTTP framework
 *   that no use case saw), INTERNAL_ERROR (a bug: the answer carries an errorId, the log the cause).
 * The language of a text follows its code: Digipoort's codes carry Dutch texts, as Digipoort's own do; Poort's own
 * codes carry English texts, as the logs do.
 */
export const POORT_CODE_STYLE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * What kind of refusal it is, independent of the channel: each adapter translates it once (HTTP status, SOAP
 * faultcode), so that a use case never names a transport.
 */
export type RefusalKind =
  /** The request does not meet the interface or the rules: the sender must change it. */
  | 'invalid'
  /** Nothing of that name exists for this caller (someone else's and non-existent look the same). */
  | 'not-found'
  /** The caller is known but may not do this (not for someone like it, or not to this: a recipient reporting on another's message). */
  | 'forbidden'
  /** It collides with what exists (a duplicate), or contradicts the state it meets (a status before delivery, a second different one). */
  | 'conflict'
  /** The caller's copy is not the current one (If-Match). */
  | 'precondition-failed'
  /** Well-formed, but names what Poort does not know or cannot do, or goes past a limit. */
  | 'unprocessable'
  | 'unsupported-media-type'
  | 'too-large'
  /** It existed but is over: expired, and nothing more can be done with it. */
  | 'gone'
  /** A byte range that does not fit what it names (a range past the end, another total size). */
  | 'range-not-satisfiable'
  /** Poort cannot take it now; the same request may succeed later. */
  | 'overloaded';

/** What a refusal may add beyond its text. */
export interface RefusalOptions {
  /** Of an 'overloaded' refusal: in how many seconds the same request is worth trying again (HTTP Retry-After). */
  readonly retryAfterSeconds?: number;
}

/** A use case's refusal: a code from the vocabulary above, its kind, a text for the caller and optional details. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: string,
    readonly kind: RefusalKind,
    message: string,
    readonly details?: unknown,
    options: RefusalOptions = {},
  ) {
    super(message);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
