import { verifierFromFiles } from '@poort/pki';
import { KOPPELVLAK_XSD_PATH } from '@poort/wus';
import { compileSchema } from '@poort/xml';

import type { DeliveryConfig } from '../../config.js';
import type { WusAfleverSettings } from './wus-aflever.js';

/**
 * The WUS channel's settings from the delivery service's configuration. Poort signs as its WUS endpoints do
 * (WUS_SIGNING_CERT_FILE/KEY_FILE, else the TLS certificate); its client certificate is DELIVERY_CLIENT_CERT_FILE/
 * KEY_FILE, else the TLS certificate; recipients' servers and signatures are trusted through TLS_CA_FILE and checked
 * against TLS_CRL_FILE with the service's REVOCATION_POLICY.
 */
export function wusAfleverSettings(config: DeliveryConfig): WusAfleverSettings {
  const files = (certFile: string | undefined, keyFile: string | undefined) => (certFile && keyFile ? { certFile, keyFile } : undefined);
  return {
    clientCertificate: files(config.DELIVERY_CLIENT_CERT_FILE ?? config.TLS_CERT_FILE, config.DELIVERY_CLIENT_KEY_FILE ?? config.TLS_KEY_FILE),
    signing: files(config.WUS_SIGNING_CERT_FILE ?? config.TLS_CERT_FILE, config.WUS_SIGNING_KEY_FILE ?? config.TLS_KEY_FILE),
    caFile: config.TLS_CA_FILE,
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
