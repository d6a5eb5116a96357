import { readFileSync } from 'node:fs';

import { TrustStoreVerifier } from '@poort/pki';

import type { ClientIdentitySource } from './client-identity.guard.js';
import type { ServiceHttpOptions } from './run-service.js';

export interface ClientIdentityConfig {
  readonly CLIENT_IDENTITY_MODE: 'mtls' | 'proxy-header';
  readonly TLS_CERT_FILE?: string | undefined;
  readonly TLS_KEY_FILE?: string | undefined;
  readonly TLS_CA_FILE: string;
  readonly PROXY_CERT_HEADER: string;
}

export class ClientIdentityConfigError extends Error {
  readonly code = 'CONFIG.CLIENT_IDENTITY';
}

/** The identity source and, for two-way TLS, the server's TLS files, from a service's validated config. */
export function clientIdentitySetup(config: ClientIdentityConfig): { source: ClientIdentitySource; mtls?: ServiceHttpOptions['mtls'] } {
  if (config.CLIENT_IDENTITY_MODE === 'proxy-header') {
    return {
      source: { mode: 'proxy-header', header: config.PROXY_CERT_HEADER, verifier: new TrustStoreVerifier(readFileSync(config.TLS_CA_FILE, 'utf8')) },
    };
  }
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) {
    throw new ClientIdentityConfigError('CLIENT_IDENTITY_MODE=mtls needs TLS_CERT_FILE and TLS_KEY_FILE');
  }
  return {
    source: { mode: 'mtls' },
    mtls: { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE, caFile: config.TLS_CA_FILE },
  };
}
