import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';

import { isSignatureError, verifySignature, webcrypto, type RequestDescriptor, type Verifier } from 'http-message-sig';

/*
 * How a recipient checks a REST delivery from Poort, as docs/recipients-rest.md tells it: the RFC 9421 signature
 * (with an implementation independent of the one Poort signs with: Cloudflare's http-message-sig), then the
 * RFC 9530 Content-Digest against the bytes received.
 */

/** What a recipient insists the signature covers. */
export const REQUIRED_SIGNED_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-type',
  'content-digest',
  'idempotency-key',
  'x-poort-message-id',
  'x-poort-kenmerk',
] as const;

/** A request as it arrived: method, the URI it was sent to, its header lines in order, its body. */
export interface ArrivedRequest {
  readonly method: string;
  readonly targetUri: string;
  /** Node's rawHeaders: name, value, name, value… */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface VerifiedDelivery {
  /** The signing certificate's SHA-256 (lowercase hex), as the signature's keyid named it. */
  readonly keyid: string;
  readonly algorithm: string;
  /** The components the signature covers, in order. */
  readonly covered: readonly string[];
  readonly created: number;
}

export type SignatureCheck = { readonly ok: true; readonly verified: VerifiedDelivery } | { readonly ok: false; readonly reason: string };

/** Checks signatures by Poort's signing certificates (PEM), each known by its SHA-256 thumbprint. */
export class DeliverySignatureCheck {
  private readonly certificates: ReadonlyMap<string, X509Certificate>;

  constructor(
    signingCertificatesPem: readonly string[],
    private readonly maxAgeSeconds = 300,
  ) {
    this.certificates = new Map(
      signingCertificatesPem.map((pem) => {
        const certificate = new X509Certificate(pem);
        return [createHash('sha256').update(certificate.raw).digest('hex'), certificate];
      }),
    );
  }

  async check(request: ArrivedRequest): Promise<SignatureCheck> {
    const fields = [];
    for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
      fields.push({ name: request.rawHeaders[index]!.toLowerCase(), value: request.rawHeaders[index + 1]! });
    }
    const message: RequestDescriptor = { kind: 'request', method: request.method, targetUri: request.targetUri, fields };
    let verified;
    try {
      verified = await verifySignature(message, {
        label: 'poort',
        policy: {
          algorithms: ['rsa-pss-sha512', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384'],
          requiredComponents: REQUIRED_SIGNED_COMPONENTS,
          requiredParameters: ['created', 'keyid', 'alg'],
          maxAge: this.maxAgeSeconds,
          clockSkew: 5,
          // A signature Poort made for another purpose is not a delivery's.
          validate: (signature) => signature.parameters.tag === 'poort-delivery',
        },
        resolveVerifier: (candidate) => this.verifierFor(String(candidate.parameters.keyid), String(candidate.algorithm)),
      });
    } catch (error) {
      if (isSignatureError(error)) return { ok: false, reason: `signature refused (${error.code}): ${error.message}${causeOf(error.cause)}` };
      throw error;
    }
    const digest = fields.find((field) => field.name === 'content-digest')?.value ?? '';
    const expected = createHash('sha256').update(request.body).digest('base64');
    const stated = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/.exec(digest)?.[1];
    if (!stated) return { ok: false, reason: 'content-digest has no sha-256 member' };
    if (stated !== expected) return { ok: false, reason: `content-digest does not match the body received (sha-256 ${expected})` };
    return {
      ok: true,
      verified: {
        keyid: String(verified.parameters.keyid),
        algorithm: verified.algorithm,
        covered: verified.components.map((component) => component.name),
        created: Number(verified.parameters.created),
      },
    };
  }

  private async verifierFor(keyid: string, algorithm: string): Promise<Verifier> {
    const certificate = this.certificates.get(keyid);
    if (!certificate) throw new Error(`keyid ${keyid} is not a signing certificate this recipient trusts`);
    const key = certificate.publicKey;
    switch (algorithm) {
      case 'rsa-pss-sha512':
        // The library's own WebCrypto verifier: RSASSA-PSS, SHA-512, 64-byte salt as RFC 9421 says.
        return webcrypto.verifier(await crypto.subtle.importKey('spki', key.export({ type: 'spki', format: 'der' }), { name: 'RSA-PSS', hash: 'SHA-512' }, false, ['verify']));
      case 'ecdsa-p256-sha256':
      case 'ecdsa-p384-sha384':
        return {
          algorithm,
          verify: (data, signature) => cryptoVerify(algorithm.endsWith('256') ? 'sha256' : 'sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature),
        };
      default:
        throw new Error(`algorithm ${algorithm} is not one this recipient accepts for keyid ${keyid}`);
    }
  }
}

function causeOf(cause: unknown): string {
  return cause instanceof Error ? `: ${cause.message}` : '';
}
