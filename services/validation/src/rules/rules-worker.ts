import { CompiledRules, RulesExecutionError, type RuleFinding, type RuleSet } from '@poort/standards';

/** One document for one rule set, sent to a worker thread of the pool. */
export interface RulesTask {
  readonly ruleSet: RuleSet;
  /** The document's bytes (UTF-8, as UBL and Peppol require), transferred to the worker. */
  readonly content: Uint8Array;
}

export type RulesTaskResult =
  | { readonly kind: 'report'; readonly errors: readonly RuleFinding[]; readonly warnings: readonly RuleFinding[] }
  /** The rules' own XSLT failed on this document (RulesExecutionError): a rejection, not a failure of the service. */
  | { readonly kind: 'execution-error'; readonly message: string };

// Each worker thread loads a rule set's SEF on its first document and keeps it: parsing one takes about a second.
const loaded = new Map<string, CompiledRules>();
const decoder = new TextDecoder('utf-8');

/** The worker's task handler (piscina calls the default export). */
export default function evaluateRules({ ruleSet, content }: RulesTask): RulesTaskResult {
  let rules = loaded.get(ruleSet.name);
  if (!rules) {
    rules = new CompiledRules(ruleSet);
    loaded.set(ruleSet.name, rules);
  }
  try {
    const { errors, warnings } = rules.evaluate(decoder.decode(content));
    return { kind: 'report', errors, warnings };
  } catch (error) {
    if (error instanceof RulesExecutionError) return { kind: 'execution-error', message: error.message };
    throw error;
  }
}
