import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import type { FastifyRequest } from 'fastify';

/** What Poort's decorators say about a route, read by the HTTP server's hooks before the route's handler runs. */
export interface PoortRouteConfig {
  /**
   * The largest body the route takes: bytes, or the name of a limit the service gives runService (bodyLimits) when
   * it comes from configuration. Without it, HTTP_DEFAULT_BODY_LIMIT_BYTES.
   */
  readonly bodyLimit?: number | string;
  /** The route serves only callers with a client certificate, established before the body is read. */
  readonly clientIdentity?: 'required';
}

/** Adds to a route handler's Fastify route config, keeping what other decorators put there. */
export function withRouteConfig(config: PoortRouteConfig): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const existing = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as PoortRouteConfig;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...existing, ...config }, handler);
    return descriptor;
  };
}

/**
 * The route takes bodies up to this size (bytes, or a named limit of the service); a larger one is refused with 413,
 * by its Content-Length before it is read, or as soon as a chunked body passes the limit.
 */
export const MaxBodyBytes = (limit: number | string): MethodDecorator => withRouteConfig({ bodyLimit: limit });

export function routeConfigOf(request: FastifyRequest): PoortRouteConfig {
  return (request.routeOptions.config ?? {}) as PoortRouteConfig;
}
