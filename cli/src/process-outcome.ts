/** A status as the status service answers it (GET /api/v1/processen/{kenmerk}/statussen). */
export interface StatusResultaat {
  readonly kenmerk: string;
  readonly statuscode: string;
  readonly tijdstempelStatus: string;
  readonly statusomschrijving: string;
  readonly statusFoutcode?: { readonly foutcode: string; readonly foutbeschrijving: string };
  readonly statusdetails?: string;
}

/** Where a process stands: still going, or ended well or in failure, by its latest status. */
export type ProcessOutcome =
  | { readonly kind: 'pending'; readonly latest?: StatusResultaat }
  | { readonly kind: 'ended'; readonly status: StatusResultaat; readonly failed: boolean };

/**
 * Digipoort codes whose status ends the process (STATUS_DEFINITIONS in @poort/contracts, final or delivered, with
 * whether it is a failure). poort ships on its own, without Poort's libraries, so it holds this table itself; a test
 * checks it against @poort/contracts.
 */
export const ENDING_CODES: Readonly<Record<string, { readonly failed: boolean }>> = {
  '210': { failed: true },
  '311': { failed: true },
  '400': { failed: false },
  '410': { failed: true },
  '500': { failed: false },
  '510': { failed: true },
};

/**
 * The technical-problem codes (230, 321, 420) are final only when Poort gave up: then they carry one of these
 * foutcodes (420/AFS600 after the retry window, a stage's dead letter, the stuck-message sweeper). A 420 with AFS400 is
 * a delivery attempt that failed and will be retried: not final. (A delivery dead letter is also 420/AFS400, final;
 * the status service does not say so, so poort keeps waiting for it until --timeout.)
 */
export const FINAL_TECHNICAL_FOUTCODES: ReadonlySet<string> = new Set(['AFS600', 'PROCESSING_STUCK', 'AUTHORIZATION_FAILED', 'VAS400', 'TRANSFORM_FAILED', 'ROUTING_FAILED']);
const TECHNICAL_CODES = new Set(['230', '321', '420']);

/** The outcome of a process from its statuses (in the order the status service gives them: oldest first). */
export function processOutcome(statuses: readonly StatusResultaat[]): ProcessOutcome {
  const latest = statuses.at(-1);
  if (!latest) return { kind: 'pending' };
  const ending = ENDING_CODES[latest.statuscode];
  if (ending) return { kind: 'ended', status: latest, failed: ending.failed };
  const foutcode = latest.statusFoutcode?.foutcode;
  if (TECHNICAL_CODES.has(latest.statuscode) && foutcode !== undefined && FINAL_TECHNICAL_FOUTCODES.has(foutcode)) {
    return { kind: 'ended', status: latest, failed: true };
  }
  return { kind: 'pending', latest };
}
