import { STATUS_DEFINITIONS, type StatusCode } from '@poort/contracts';

/** The statuses of one process as the status API lists them. */
export interface SeenStatus {
  readonly statuscode: string;
  readonly statusFoutcode?: { readonly foutcode?: string; readonly foutbeschrijving?: string };
}

export type Verdict =
  | { readonly kind: 'passed'; readonly status: string }
  | { readonly kind: 'failed'; readonly status: string; readonly detail: string }
  | { readonly kind: 'waiting' };

/**
 * Passed once the expected status is there; failed on a final error status (the message will never get there).
 * `status` is the status code that decided it.
 */
export function verdictOf(statuses: readonly SeenStatus[], expected: string): Verdict {
  if (statuses.some((status) => status.statuscode === expected)) return { kind: 'passed', status: expected };
  const finalError = statuses.find((status) => {
    const definition = STATUS_DEFINITIONS[status.statuscode as StatusCode];
    return definition?.final === true && definition.class === 'error';
  });
  if (finalError) {
    const fout = finalError.statusFoutcode;
    return { kind: 'failed', status: finalError.statuscode, detail: fout ? `${fout.foutcode ?? ''} ${fout.foutbeschrijving ?? ''}`.trim() : 'no foutcode' };
  }
  return { kind: 'waiting' };
}
