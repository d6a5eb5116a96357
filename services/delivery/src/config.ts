import { clientIdentityEnv, durationMs, loadConfigOrExit, messageTypesEnv, platformEnv, secret, wusEnv } from '@poort/config';
import { z } from 'zod';

export const DeliveryEnv = z.object({
  ...platformEnv,
  ...messageTypesEnv,
  // Recipients call delivery with their certificates (zetStatus, their mailboxes); its WUS endpoints sign as ingress's do.
  ...clientIdentityEnv,
  ...wusEnv,
  /**
   * Poort's client certificate and key towards recipients (two-way TLS), unless a recipient's profile names its own;
   * default: the service's own TLS certificate. Recipients' servers are trusted by TLS_CA_FILE.
   */
  DELIVERY_CLIENT_CERT_FILE: z.string().min(1).optional(),
  DELIVERY_CLIENT_KEY_FILE: secret(z.string().min(1).optional()),
  /** How often the worker looks for due retries when nothing woke it. */
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * Delivery attempts in flight at once in one process, to all recipients together; each recipient's own limit is
   * the concurrency of its profile.
   */
  DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /** Failed attempts in a row that open a recipient's circuit: nothing is sent to it for a while. */
  DELIVERY_CIRCUIT_FAILURES: z.coerce.number().int().positive().default(5),
  /** How long a circuit stays open before one probe; doubled after each failed probe, up to the maximum. */
  DELIVERY_CIRCUIT_OPEN_MS: durationMs.default(5_000),
  DELIVERY_CIRCUIT_MAX_OPEN_MS: durationMs.default(300_000),
  /**
   * How long a message a pull recipient fetched stays in its mailbox after its delivery (getBerichten without `nieuw`
   * answers it meanwhile); then it is removed with the record of who fetched it. Default 90 days.
   */
  DELIVERY_MAILBOX_RETENTION_MS: durationMs.default(90 * 24 * 60 * 60 * 1000),
  /**
   * Larger contents are not delivered inline: every channel delivers a Grote Berichten notice in their place and the
   * recipient fetches the file from DELIVERY_FILES_BASE_URL (docs/large-payloads.md). Default and most 20 MiB (the WUS
   * inhoud's cap); lower by bilateral agreement.
   */
  DELIVERY_INLINE_MAX_BYTES: z.coerce.number().int().positive().max(20 * 1024 * 1024).default(20 * 1024 * 1024),
  /** How long such a file can be fetched after its delivery was requested (the notice's expirationTime). Default 7 days. */
  DELIVERY_FILES_RETENTION_MS: durationMs.default(7 * 24 * 60 * 60 * 1000),
  /**
   * The public https URL of this service's file endpoint as recipients reach it (without /api/v1/bestanden); default
   * https://HOST:PORT, the service's own listen address.
   */
  DELIVERY_FILES_BASE_URL: z.url().optional(),
});
export type DeliveryConfig = z.infer<typeof DeliveryEnv>;

/** Where recipients fetch large contents: the configured public URL, or the service's own address. */
export function filesBaseUrl(config: Pick<DeliveryConfig, 'DELIVERY_FILES_BASE_URL' | 'HOST' | 'PORT'>): string {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  return (config.DELIVERY_FILES_BASE_URL ?? `https://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`).replace(/\/+$/, '');
}

export const loadDeliveryConfig = (): DeliveryConfig => loadConfigOrExit('delivery', DeliveryEnv);
