import type { MessageCatalog } from '@poort/message-types';
import type { RuleFinding } from '@poort/standards';
import { checkXmlStream, type XmlDiagnostic } from '@poort/xml';

import type { RulesLimitExceeded } from '../rules/rules-limits.js';
import type { RulesPool } from '../rules/rules-pool.js';
import type { SchemaValidator } from './schema-validator.js';
import type { ArelleFinding } from './xbrl/arelle-log.js';
import type { XbrlValidator } from './xbrl/xbrl-validator.js';

/** What validation says about one message: its schema first, then its type's business rules. */
export type ValidationVerdict =
  /**
   * Valid; the rules' warnings (if any) and what the XBRL check said (if it ran) go with the 301, and so does, for a
   * content too large to hold in memory, what its streaming check did not run.
   */
  | { readonly kind: 'valid'; readonly warnings: readonly RuleFinding[]; readonly xbrlDetail?: string; readonly streamed?: StreamedCheck }
  | { readonly kind: 'schema-invalid'; readonly findings: readonly XmlDiagnostic[] }
  /** Arelle found the filing inconsistent with its taxonomy (calculation, contexts, period types, assertions). */
  | { readonly kind: 'xbrl-invalid'; readonly findings: readonly ArelleFinding[] }
  | { readonly kind: 'rules-invalid'; readonly errors: readonly RuleFinding[]; readonly warnings: readonly RuleFinding[] }
  /** The rules' own XSLT failed on this document (e.g. XPTY0004 on a value of the wrong type). */
  | { readonly kind: 'rules-failed'; readonly ruleSet: string; readonly message: string }
  | { readonly kind: 'limit-exceeded'; readonly exceeded: RulesLimitExceeded };

/** A content checked as a stream: its size, and the checks of its type that could not run on it. */
export interface StreamedCheck {
  readonly bytes: number;
  readonly notRun: readonly ('schema' | 'rules' | 'xbrl')[];
}

/** A content too large to read into memory, as a stream of its bytes. */
export interface StreamedSubject {
  readonly berichtsoort: string;
  readonly content: AsyncIterable<Uint8Array>;
}

export interface ValidationSubject {
  readonly berichtsoort: string;
  readonly content: Uint8Array;
}

/**
 * A message's validation: well-formedness and XSD on the event loop (a millisecond or so for an invoice), then, for
 * an XBRL type, Arelle against its taxonomy packages, and the rule sets its type names in the pool of worker threads. Documents of a batch are validated at once, so their
 * rules spread over the pool's threads.
 */
export class MessageValidator {
  constructor(
    private readonly catalog: MessageCatalog,
    private readonly schemas: SchemaValidator,
    private readonly rules: RulesPool,
    private readonly xbrl: XbrlValidator,
  ) {}

  /** The verdicts, in the order of the subjects. */
  validateAll(subjects: readonly ValidationSubject[]): Promise<ValidationVerdict[]> {
    return Promise.all(subjects.map((subject) => this.validate(subject)));
  }

  /**
   * A content too large for memory: libxml2-wasm has no streaming reader, so its XSD, business rules and XBRL check
   * cannot run. It is checked as it streams (well-formed, no DOCTYPE, the type's document element) and, valid,
   * says what was not checked.
   */
  async validateStreamed({ berichtsoort, content }: StreamedSubject): Promise<ValidationVerdict> {
    const type = this.catalog.get(berichtsoort);
    const rootElement = type.validation.rootElement;
    const result = await checkXmlStream(content, rootElement === undefined ? {} : { rootElement });
    if (!result.wellFormed) return { kind: 'schema-invalid', findings: [result.diagnostic] };
    const notRun = [
      'schema' as const,
      ...(type.validation.rules.length > 0 ? ['rules' as const] : []),
      ...(type.validation.xbrl ? ['xbrl' as const] : []),
    ];
    return { kind: 'valid', warnings: [], streamed: { bytes: result.bytes, notRun } };
  }

  async validate({ berichtsoort, content }: ValidationSubject): Promise<ValidationVerdict> {
    const schema = this.schemas.validate(berichtsoort, content);
    if (!schema.valid) return { kind: 'schema-invalid', findings: schema.findings };
    // Arelle unable to judge the filing throws: the stage's retries, then the message's 321 (VAS400).
    const xbrl = await this.xbrl.validate(berichtsoort, content);
    if (xbrl && !xbrl.valid) return { kind: 'xbrl-invalid', findings: xbrl.findings };
    const xbrlDetail = xbrl ? { xbrlDetail: xbrl.detail } : {};
    const verdict = await this.rules.evaluate(this.catalog.ruleSets(this.catalog.get(berichtsoort)), content);
    switch (verdict.kind) {
      case 'report':
        return verdict.errors.length > 0
          ? { kind: 'rules-invalid', errors: verdict.errors, warnings: verdict.warnings }
          : { kind: 'valid', warnings: verdict.warnings, ...xbrlDetail };
      case 'execution-error':
        return { kind: 'rules-failed', ruleSet: verdict.ruleSet, message: verdict.message };
      case 'limit-exceeded':
        return verdict;
    }
  }
}
