import { Injectable } from '@nestjs/common';
import { PoortMetrics } from '@poort/observability';
import { Counter } from 'prom-client';

import type { ValidationVerdict } from './message-validator.js';

@Injectable()
export class ValidationMetrics {
  /** Every message's validation verdict, by berichtsoort. */
  readonly verdicts: Counter<'berichtsoort' | 'verdict'>;

  constructor(metrics: PoortMetrics) {
    this.verdicts = new Counter({
      name: 'poort_validation_verdicts_total',
      help:
        'Validation verdicts by berichtsoort and verdict: valid, valid_with_warnings, valid_streamed (a large content, ' +
        'checked as a stream without its schema and rules), schema_invalid, rules_invalid, ' +
        'rules_failed (the rules\' XSLT failed on the document), limit_exceeded (size or time limit of the rules)',
      labelNames: ['berichtsoort', 'verdict'],
      registers: [metrics.registry],
    });
  }

  record(berichtsoort: string, verdict: ValidationVerdict): void {
    const label =
      verdict.kind === 'valid'
        ? verdict.streamed
          ? 'valid_streamed'
          : verdict.warnings.length > 0
            ? 'valid_with_warnings'
            : 'valid'
        : verdict.kind.replace('-', '_');
    this.verdicts.inc({ berichtsoort, verdict: label });
  }
}
