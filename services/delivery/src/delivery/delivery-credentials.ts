import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { Recipient } from '@poort/message-types';

/** A certificate with its private key, read and checked once, at start-up. */
export interface Credential {
  /** The certificate file as read (the certificate, then any intermediates): what TLS presents. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The first certificate of the file: the one the key belongs to. */
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  /** SHA-256 of the certificate's DER, 64 lowercase hex digits (the form of Poort's certificateFingerprint). */
  readonly thumbprint: string;
}

/** Where a credential comes from: its files and the settings that named them (for messages). */
export interface CredentialFiles {
  readonly cert: string;
  readonly key: string;
  readonly setting: string;
}

/** Poort's side of delivery: whom it presents itself as, how it signs, whom it trusts. */
export interface DeliveryCredentialSettings {
  /** Poort's client certificate towards recipients, unless a profile names its own. */
  readonly client?: CredentialFiles;
  /** Poort's signing certificate: WS-Security for WUS, HTTP Message Signatures for REST. */
  readonly signing?: CredentialFiles;
  /** The CAs whose server certificates recipients may present. */
  readonly trustFile: string;
}

/** What delivery's environment says of its credentials (see config.ts); TLS_* is the service's own certificate. */
export interface DeliveryCredentialEnv {
  readonly DELIVERY_CLIENT_CERT_FILE?: string | undefined;
  readonly DELIVERY_CLIENT_KEY_FILE?: string | undefined;
  readonly WUS_SIGNING_CERT_FILE?: string | undefined;
  readonly WUS_SIGNING_KEY_FILE?: string | undefined;
  readonly TLS_CERT_FILE?: string | undefined;
  readonly TLS_KEY_FILE?: string | undefined;
  readonly TLS_CA_FILE: string;
}

export function deliveryCredentialSettings(env: DeliveryCredentialEnv): DeliveryCredentialSettings {
  const pair = (cert: string | undefined, key: string | undefined, setting: string): CredentialFiles | undefined =>
    cert && key ? { cert, key, setting } : undefined;
  const client =
    pair(env.DELIVERY_CLIENT_CERT_FILE, env.DELIVERY_CLIENT_KEY_FILE, 'DELIVERY_CLIENT_CERT_FILE/DELIVERY_CLIENT_KEY_FILE') ??
    pair(env.TLS_CERT_FILE, env.TLS_KEY_FILE, 'TLS_CERT_FILE/TLS_KEY_FILE');
  // Behind a proxy that ends TLS the service has no TLS certificate of its own: Poort's client certificate signs then.
  const signing =
    pair(env.WUS_SIGNING_CERT_FILE, env.WUS_SIGNING_KEY_FILE, 'WUS_SIGNING_CERT_FILE/WUS_SIGNING_KEY_FILE') ??
    pair(env.TLS_CERT_FILE, env.TLS_KEY_FILE, 'TLS_CERT_FILE/TLS_KEY_FILE') ??
    pair(env.DELIVERY_CLIENT_CERT_FILE, env.DELIVERY_CLIENT_KEY_FILE, 'DELIVERY_CLIENT_CERT_FILE/DELIVERY_CLIENT_KEY_FILE');
  return { ...(client ? { client } : {}), ...(signing ? { signing } : {}), trustFile: env.TLS_CA_FILE };
}

/** A credential or trust setting that cannot serve: delivery refuses to start. */
export class DeliveryCredentialsError extends Error {
  override readonly name = 'DeliveryCredentialsError';
}

/**
 * Every certificate and key delivery uses, read once at start-up: a file that is missing, unreadable, not PEM or a key
 * that does not belong to its certificate refuses the start, as does a recipient whose profile needs what is not
 * configured (a client certificate for https, a signing key when it wants signed deliveries).
 */
export class DeliveryCredentials {
  private readonly clients = new Map<string, Credential>();
  private readonly pins = new Map<string, X509Certificate>();

  private constructor(
    /** PEM of the CAs recipients' server certificates must chain to. */
    readonly trust: string,
    readonly defaultClient: Credential | undefined,
    readonly signing: Credential | undefined,
  ) {}

  static load(settings: DeliveryCredentialSettings, recipients: readonly Recipient[]): DeliveryCredentials {
    const credentials = new DeliveryCredentials(
      readPem(settings.trustFile, 'TLS_CA_FILE'),
      settings.client ? loadCredential(settings.client) : undefined,
      settings.signing ? loadCredential(settings.signing) : undefined,
    );
    for (const recipient of recipients) credentials.admit(recipient);
    return credentials;
  }

  /** Poort's client certificate towards this recipient: its profile's own, or the default. */
  clientFor(recipient: Recipient): Credential | undefined {
    return this.clients.get(recipient.id) ?? this.defaultClient;
  }

  /** The server certificate this recipient's endpoint must present, when its profile names one. */
  pinnedCertificateOf(recipient: Recipient): X509Certificate | undefined {
    return this.pins.get(recipient.id);
  }

  private admit(recipient: Recipient): void {
    const who = `recipient ${recipient.id}`;
    if (recipient.clientCertificate) {
      const { cert, key } = recipient.clientCertificate;
      this.clients.set(recipient.id, loadCredential({ cert, key, setting: `the clientCertificate of ${who}` }));
    }
    if (recipient.certificate) {
      this.pins.set(recipient.id, firstCertificate(readPem(recipient.certificate, `the certificate of ${who}`), recipient.certificate, `the certificate of ${who}`));
    }
    if (recipient.channel === 'pull') return;
    if (recipient.endpoint?.startsWith('https:') && !this.clientFor(recipient)) {
      throw new DeliveryCredentialsError(
        `${who} is reached over https with two-way TLS and needs Poort's client certificate: set DELIVERY_CLIENT_CERT_FILE and DELIVERY_CLIENT_KEY_FILE (or TLS_CERT_FILE and TLS_KEY_FILE), or clientCertificate in its profile`,
      );
    }
    if (recipient.sign && !this.signing) {
      throw new DeliveryCredentialsError(
        `${who} wants signed deliveries (sign: true, the default) and no signing key is configured: set WUS_SIGNING_CERT_FILE and WUS_SIGNING_KEY_FILE (or TLS_CERT_FILE and TLS_KEY_FILE)`,
      );
    }
  }
}

function loadCredential(files: CredentialFiles): Credential {
  const certPem = readPem(files.cert, files.setting);
  const keyPem = readPem(files.key, files.setting);
  const certificate = firstCertificate(certPem, files.cert, files.setting);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    throw new DeliveryCredentialsError(`${files.setting}: ${files.key} is not a readable private key (PEM): ${(error as Error).message}`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new DeliveryCredentialsError(`${files.setting}: the key in ${files.key} does not belong to the certificate in ${files.cert}`);
  }
  return { certPem, keyPem, certificate, privateKey, thumbprint: thumbprintOf(certificate) };
}

export function thumbprintOf(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('hex');
}

function readPem(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeliveryCredentialsError(`${setting}: ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function firstCertificate(pem: string, path: string, setting: string): X509Certificate {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  try {
    if (!first) throw new Error('no PEM certificate in it');
    return new X509Certificate(first);
  } catch (error) {
    throw new DeliveryCredentialsError(`${setting}: ${path} holds no readable certificate: ${(error as Error).message}`);
  }
}
