import 'reflect-metadata';

import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpEnv } from '@poort/config';
import { PoortMetrics, createLogger, startTracing } from '@poort/observability';

import { HttpErrorFilter } from './http-error.filter.js';
import { httpLimitsFromEnv } from './http-limits.js';
import { createHttpAdapter, type ServerContext, type ServiceHttpOptions } from './http-server.js';
import { NestPinoLogger } from './nest-logger.js';
import { buildOpenApiDocument, serveOpenApiDocument } from './openapi.js';
import { RefusalRenderers } from './refusal-renderers.js';
import { RequestAdmissions } from './request-admissions.js';
import { strictJsonParser } from './strict-json.js';
import { LOGGER } from './tokens.js';

/**
 * A shutdown that hangs (a stuck database call, a timer left running) must not outlive Kubernetes' grace period
 * (terminationGracePeriodSeconds, 60 s in the chart) into a SIGKILL: it exits 1 first, saying so. What it did not
 * commit is redelivered to another consumer.
 */
const SHUTDOWN_DEADLINE_MS = 50_000;

function exitIfShutdownHangs(logger: { fatal(fields: object, message: string): void }): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.fatal({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish in time; exiting');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
}

/** A service's HTTP server as its configuration gives it; services add TLS and named body limits where they have them. */
export function httpOptionsFromEnv(env: HttpEnv): ServiceHttpOptions {
  return { host: env.HOST, port: env.PORT, limits: httpLimitsFromEnv(env) };
}

/** Boots a service: tracing first, then Nest on Fastify with Poort's HTTP limits, shutdown hooks, and the shared error filter. */
export async function runService(service: string, module: Type | DynamicModule, http: ServiceHttpOptions, otlpEndpoint?: string): Promise<NestFastifyApplication> {
  startTracing(service, otlpEndpoint);
  const bootLogger = createLogger(service);
  let context: ServerContext | undefined;
  try {
    const adapter = createHttpAdapter(http, () => context);
    // Before the service's own Nest application: building it sets Nest's (global) logger, which the service's then replaces.
    if (http.openApi) serveOpenApiDocument(adapter, await buildOpenApiDocument(http.openApi));
    const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: new NestPinoLogger(bootLogger) });
    context = { admissions: app.get(RequestAdmissions), renderers: app.get(RefusalRenderers), logger: app.get(LOGGER), metrics: app.get(PoortMetrics) };
    app.useBodyParser('application/json', {}, strictJsonParser(adapter.getInstance()));
    app.useGlobalFilters(new HttpErrorFilter(context.logger, context.renderers, context.metrics));
    // process.exit after the hooks: exit 0 even as PID 1 in a container, where a re-sent SIGTERM would be ignored.
    app.enableShutdownHooks(undefined, { useProcessExit: true });
    exitIfShutdownHangs(bootLogger);
    await app.listen(http.port, http.host);
    bootLogger.info({ url: await app.getUrl(), limits: http.limits }, `${service} listening`);
    return app;
  } catch (error) {
    bootLogger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
