import type { TLSSocket } from 'node:tls';

import { Inject, Injectable, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { httpError } from '@poort/nest-kit';
import { ClientIdentityError, identityFromForwardedHeader, identityFromTlsSocket, type CertificateVerifier, type ClientIdentity } from '@poort/pki';
import type { FastifyRequest } from 'fastify';

export const CLIENT_IDENTITY_SOURCE = Symbol('poort.client-identity-source');

/**
 * Where a caller's certificate comes from: the TLS connection to this process, or, when TLS ends at a trusted
 * proxy in front of it, a header that proxy sets (and strips from what clients send).
 */
export type ClientIdentitySource =
  | { readonly mode: 'mtls' }
  | { readonly mode: 'proxy-header'; readonly header: string; readonly verifier: CertificateVerifier };

type IdentifiedRequest = FastifyRequest & { clientIdentity?: ClientIdentity };

/** Admits only callers with a trusted client certificate carrying an OIN; the identity is then on the request. */
@Injectable()
export class ClientIdentityGuard implements CanActivate {
  constructor(@Inject(CLIENT_IDENTITY_SOURCE) private readonly source: ClientIdentitySource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IdentifiedRequest>();
    try {
      request.clientIdentity =
        this.source.mode === 'mtls'
          ? identityFromTlsSocket(request.raw.socket as TLSSocket)
          : await identityFromForwardedHeader(request.headers[this.source.header], this.source.verifier);
      return true;
    } catch (error) {
      if (error instanceof ClientIdentityError) {
        throw httpError(401, error.code, `client certificate not accepted: ${error.message}`);
      }
      throw error;
    }
  }
}

/** The caller's identity, established by ClientIdentityGuard. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): ClientIdentity => {
  const identity = context.switchToHttp().getRequest<IdentifiedRequest>().clientIdentity;
  if (!identity) throw new Error('Caller used on a route without ClientIdentityGuard');
  return identity;
});
