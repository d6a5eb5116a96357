import { createHash, type X509Certificate } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

import type { Recipient } from '@poort/message-types';

import { thumbprintOf, type DeliveryCredentials } from '../delivery-credentials.js';

/** A server certificate that is not the recipient's pinned one: it may be rotating, so a retry can still deliver. */
export const PIN_MISMATCH = 'ERR_POORT_SERVER_CERTIFICATE_NOT_PINNED';

/**
 * Connections to one recipient over two-way TLS, kept alive and reused, whatever its channel: Poort's client
 * certificate (the profile's own or the default), the recipient's server certificate checked against TLS_CA_FILE and,
 * when its profile names its certificate, pinned to exactly that one. DeliveryCredentials refused the start already
 * when a recipient reached over https has no client certificate.
 */
export function recipientHttpsAgent(recipient: Recipient, credentials: DeliveryCredentials): HttpsAgent {
  const client = credentials.clientFor(recipient);
  if (!client) throw new Error(`${recipient.id} is reached over https and no client certificate is configured for it`);
  const pinned = credentials.pinnedCertificateOf(recipient);
  return new HttpsAgent({
    keepAlive: true,
    cert: client.certPem,
    key: client.keyPem,
    ca: credentials.trust,
    minVersion: 'TLSv1.2',
    ...(pinned ? { checkServerIdentity: pinnedServerIdentity(recipient.id, pinned) } : {}),
  });
}

/** The usual host name check, then the pin: the very certificate the recipient's profile names. */
function pinnedServerIdentity(recipientId: string, pinned: X509Certificate) {
  const expected = thumbprintOf(pinned);
  return (hostname: string, certificate: PeerCertificate): Error | undefined => {
    const wrongName = checkServerIdentity(hostname, certificate);
    if (wrongName) return wrongName;
    if (certificate.raw.equals(pinned.raw)) return undefined;
    const presented = createHash('sha256').update(certificate.raw).digest('hex');
    return Object.assign(
      new Error(`the server certificate of ${recipientId} (SHA-256 ${presented}) is not the certificate its profile pins (SHA-256 ${expected})`),
      { code: PIN_MISMATCH },
    );
  };
}
