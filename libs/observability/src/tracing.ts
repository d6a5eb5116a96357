import { context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for this process. Spans are exported over OTLP when an endpoint is configured; without
 * one, trace ids are still made and propagated, so logs of one message can be joined across services.
 */
export function startTracing(service: string, otlpEndpoint?: string): void {
  if (sdk) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: `poort-${service}` }),
    ...(otlpEndpoint ? { traceExporter: new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` }) } : { spanProcessors: [] }),
    instrumentations: [],
  });
  sdk.start();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

export const tracer = trace.getTracer('poort');

/** Writes the active trace context into a carrier (Kafka headers, outbox rows). */
export function injectTraceContext(carrier: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), carrier);
  return carrier;
}

export function extractTraceContext(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), carrier);
}

export async function inSpan<T>(name: string, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, {}, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      throw error;
    } finally {
      span.end();
    }
  });
}
