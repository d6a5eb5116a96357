import { readFileSync } from 'node:fs';

import SaxonJS from 'saxon-js';

import type { RuleSet } from './rule-set.js';

const SVRL = 'http://purl.oclc.org/dsdl/svrl';

/** One failed assertion (or successful report) of a Schematron rule, as SVRL gives it. */
export interface RuleFinding {
  /** The rule id, e.g. `BR-NL-10`. */
  readonly id: string;
  readonly flag: 'fatal' | 'warning';
  /** XPath of the node the rule fired on. */
  readonly location: string;
  readonly text: string;
}

export interface RulesReport {
  readonly errors: readonly RuleFinding[];
  readonly warnings: readonly RuleFinding[];
}

/** The rules' own XSLT failed on this document (e.g. XPTY0004): the document is rejected, the service lives on. */
export class RulesExecutionError extends Error {
  override readonly name = 'RulesExecutionError';
}

/**
 * A Schematron rule set compiled to SaxonJS's SEF, evaluated synchronously: call it from a worker thread, never on a
 * service's event loop (a 1,000-line invoice takes seconds).
 */
export class CompiledRules {
  private readonly stylesheet: unknown;

  constructor(readonly ruleSet: RuleSet) {
    this.stylesheet = JSON.parse(readFileSync(ruleSet.sefPath, 'utf8'));
  }

  evaluate(xml: string): RulesReport {
    let svrl: unknown;
    try {
      svrl = SaxonJS.transform({ stylesheetInternal: this.stylesheet, sourceText: xml, destination: 'document' }, 'sync').principalResult;
    } catch (error) {
      throw new RulesExecutionError(`${this.ruleSet.name}: ${describeSaxonError(error)}`, { cause: error });
    }
    const findings = SaxonJS.XPath.evaluate('//svrl:failed-assert | //svrl:successful-report', svrl, {
      namespaceContext: { svrl: SVRL },
      resultForm: 'array',
    }).map(
      (node): RuleFinding => ({
        id: node.getAttribute('id') ?? '',
        flag: node.getAttribute('flag') === 'warning' ? 'warning' : 'fatal',
        location: node.getAttribute('location') ?? '',
        text: (node.textContent ?? '').replace(/\s+/g, ' ').trim(),
      }),
    );
    return { errors: findings.filter((f) => f.flag === 'fatal'), warnings: findings.filter((f) => f.flag === 'warning') };
  }
}

function describeSaxonError(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return [code, message].filter((part) => typeof part === 'string' && part).join(' ') || String(error);
  }
  return String(error);
}
