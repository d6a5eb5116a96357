import 'reflect-metadata';

import { readFileSync } from 'node:fs';

import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, startTracing } from '@poort/observability';

import { HttpErrorFilter } from './http-error.filter.js';
import { NestPinoLogger } from './nest-logger.js';
import { RefusalRenderers } from './refusal-renderers.js';
import { LOGGER } from './tokens.js';

export interface ServiceHttpOptions {
  readonly host: string;
  readonly port: number;
  /** Two-way TLS: the server asks every client for a certificate; routes decide whether they require one. */
  readonly mtls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string; readonly crls?: readonly string[] };
  readonly bodyLimitBytes?: number;
}

/** Boots a service: tracing first, then Nest on Fastify, shutdown hooks, and the shared error filter. */
export async function runService(service: string, module: Type | DynamicModule, http: ServiceHttpOptions, otlpEndpoint?: string): Promise<NestFastifyApplication> {
  startTracing(service, otlpEndpoint);
  const bootLogger = createLogger(service);
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes ?? 1024 * 1024,
    ...(http.mtls
      ? {
          https: {
            cert: readFileSync(http.mtls.certFile),
            key: readFileSync(http.mtls.keyFile),
            ca: readFileSync(http.mtls.caFile),
            ...(http.mtls.crls ? { crl: [...http.mtls.crls] } : {}),
            requestCert: true,
            rejectUnauthorized: false,
            minVersion: 'TLSv1.2' as const,
          },
        }
      : {}),
  });
  try {
    const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: new NestPinoLogger(bootLogger) });
    app.useGlobalFilters(new HttpErrorFilter(app.get(LOGGER), app.get(RefusalRenderers)));
    app.enableShutdownHooks();
    await app.listen(http.port, http.host);
    bootLogger.info({ url: await app.getUrl() }, `${service} listening`);
    return app;
  } catch (error) {
    bootLogger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
