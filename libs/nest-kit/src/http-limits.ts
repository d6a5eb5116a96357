import type { HttpEnv } from '@poort/config';

/** The limits of a service's HTTP server (see httpEnv in @poort/config for what each means and its default). */
export interface HttpLimits {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** 0: no cap per client. */
  readonly maxConnectionsPerClient: number;
  readonly maxHeaderBytes: number;
  readonly defaultBodyLimitBytes: number;
}

export function httpLimitsFromEnv(env: HttpEnv): HttpLimits {
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new Error('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS: the headers are part of the request');
  }
  return {
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerClient: env.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    maxHeaderBytes: env.HTTP_MAX_HEADER_BYTES,
    defaultBodyLimitBytes: env.HTTP_DEFAULT_BODY_LIMIT_BYTES,
  };
}
