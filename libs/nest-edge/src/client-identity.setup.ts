import { readFileSync } from 'node:fs';

import type { ClientIdentityEnv } from '@poort/config';
import type { ServiceHttpOptions } from '@poort/nest-kit';
import { splitPemCrls, verifierFromFiles } from '@poort/pki';

import type { ClientIdentitySource } from './client-identity.guard.js';

export class ClientIdentityConfigError extends Error {
  readonly code = 'CONFIG_CLIENT_IDENTITY';
}

/** The identity source and, for two-way TLS, the server's TLS files, from a service's validated config. */
export function clientIdentitySetup(config: ClientIdentityEnv): { source: ClientIdentitySource; mtls?: ServiceHttpOptions['mtls'] } {
  if (config.REVOCATION_POLICY === 'hard-fail' && !config.TLS_CRL_FILE) {
    throw new ClientIdentityConfigError('REVOCATION_POLICY=hard-fail needs TLS_CRL_FILE (the CRLs of every trusted CA), or set REVOCATION_POLICY=soft-fail');
  }
  if (config.CLIENT_IDENTITY_MODE === 'proxy-header') {
    const verifier = verifierFromFiles({
      caFile: config.TLS_CA_FILE,
      ...(config.TLS_CRL_FILE ? { crlFile: config.TLS_CRL_FILE } : {}),
      purpose: 'client-auth',
      revocation: config.REVOCATION_POLICY,
    });
    return { source: { mode: 'proxy-header', header: config.PROXY_CERT_HEADER, verifier } };
  }
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) {
    throw new ClientIdentityConfigError('CLIENT_IDENTITY_MODE=mtls needs TLS_CERT_FILE and TLS_KEY_FILE');
  }
  return {
    source: { mode: 'mtls' },
    mtls: {
      certFile: config.TLS_CERT_FILE,
      keyFile: config.TLS_KEY_FILE,
      caFile: config.TLS_CA_FILE,
      // OpenSSL then checks every certificate of the client's chain against its issuer's CRL, and fails without one.
      ...(config.TLS_CRL_FILE ? { crls: splitPemCrls(readFileSync(config.TLS_CRL_FILE, 'utf8')) } : {}),
    },
  };
}
