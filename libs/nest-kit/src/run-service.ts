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
import { RefusalRenderers } from './refusal-renderers.js';
import { RequestAdmissions } from './request-admissions.js';
import { strictJsonParser } from './strict-json.js';
import { LOGGER } from './tokens.js';

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
    const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: new NestPinoLogger(bootLogger) });
    context = { admissions: app.get(RequestAdmissions), renderers: app.get(RefusalRenderers), logger: app.get(LOGGER), metrics: app.get(PoortMetrics) };
    app.useBodyParser('application/json', {}, strictJsonParser(adapter.getInstance()));
    app.useGlobalFilters(new HttpErrorFilter(context.logger, context.renderers, context.metrics));
    app.enableShutdownHooks();
    await app.listen(http.port, http.host);
    bootLogger.info({ url: await app.getUrl(), limits: http.limits }, `${service} listening`);
    return app;
  } catch (error) {
    bootLogger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
