import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

import { currentLogContext } from './log-context.js';

export type { Logger };

/**
 * JSON lines, each with the service, the message's kenmerk and the trace it belongs to; on stdout, or on stderr for a
 * command whose stdout is its answer.
 */
export function createLogger(service: string, level = 'info', to: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['*.password', '*.DATABASE_URL', 'headers.authorization', '*.inhoud'], censor: '<redacted>' },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return {
        ...currentLogContext(),
        ...(spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {}),
      };
    },
  }, to === 'stderr' ? pino.destination(2) : undefined);
}
