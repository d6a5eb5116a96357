/**
 * What Poort spends on the business rules of one document. SaxonJS needs seconds for a large invoice (about 9 s for
 * 1 MB of invoice lines), so a document over the size limit is not evaluated at all, and an evaluation over the
 * time limit is stopped (its worker thread terminated and replaced).
 */
export interface RulesLimits {
  readonly maxBytes: number;
  /** Per document and rule set, from the moment a worker thread is free for it. */
  readonly timeLimitMs: number;
}

/** Why a document's rules were not (fully) evaluated: the document is rejected, with the limit in its statusdetails. */
export type RulesLimitExceeded =
  | { readonly limit: 'size'; readonly bytes: number; readonly maxBytes: number }
  | { readonly limit: 'time'; readonly ruleSet: string; readonly timeLimitMs: number };

export function sizeLimitExceeded(bytes: number, limits: RulesLimits): RulesLimitExceeded | undefined {
  return bytes > limits.maxBytes ? { limit: 'size', bytes, maxBytes: limits.maxBytes } : undefined;
}

/** The statusdetails of a document whose rules could not be evaluated within the limits. */
export function describeLimitExceeded(exceeded: RulesLimitExceeded): string {
  return exceeded.limit === 'size'
    ? `het bericht (${exceeded.bytes} bytes) is groter dan de ${exceeded.maxBytes} bytes waarvoor Poort de bedrijfsregels controleert`
    : `de controle op de bedrijfsregels (${exceeded.ruleSet}) duurde langer dan de limiet van ${exceeded.timeLimitMs} ms en is afgebroken`;
}
