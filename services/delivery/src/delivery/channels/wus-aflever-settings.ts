import { verifierFromFiles } from '@poort/pki';
import { KOPPELVLAK_XSD_PATH } from '@poort/wus';
import { compileSchema } from '@poort/xml';

import type { DeliveryConfig } from '../../config.js';
import type { WusAfleverSettings } from './wus-aflever.js';

/**
 * The WUS channel's settings from the delivery service's configuration (Poort's own certificates are
 * DeliveryCredentials'): recipients' signatures are trusted through TLS_CA_FILE and checked against TLS_CRL_FILE with
 * the service's REVOCATION_POLICY.
 */
export function wusAfleverSettings(config: DeliveryConfig): WusAfleverSettings {
  return {
    signers: verifierFromFiles({
      caFile: config.TLS_CA_FILE,
      ...(config.TLS_CRL_FILE ? { crlFile: config.TLS_CRL_FILE } : {}),
      purpose: 'signing',
      revocation: config.REVOCATION_POLICY,
    }),
    schema: compileSchema(KOPPELVLAK_XSD_PATH),
    policy: { maxMessageAgeMs: config.WUS_MAX_MESSAGE_AGE_MS },
  };
}
