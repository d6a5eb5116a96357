import type { TLSSocket } from 'node:tls';

import {
  Inject,
  Injectable,
  UseGuards,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { RequestAdmissions, httpError, routeConfigOf, withRouteConfig, type RequestAdmission } from '@poort/nest-kit';
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

/** A request whose caller may have been established (by RequireClient, RequireOperator). */
export type IdentifiedRequest = FastifyRequest & { clientIdentity?: ClientIdentity };

/** The caller's identity, established once per request; a refusal is a 401 with the certificate's code. */
export async function establishClientIdentity(request: IdentifiedRequest, source: ClientIdentitySource): Promise<ClientIdentity> {
  if (request.clientIdentity) return request.clientIdentity;
  try {
    request.clientIdentity = source.mode === 'mtls' ? identityFromTlsSocket(request.raw.socket as TLSSocket) : await forwardedIdentity(request, source);
    return request.clientIdentity;
  } catch (error) {
    if (error instanceof ClientIdentityError) throw httpError(401, error.code, `client certificate not accepted: ${error.message}`);
    throw error;
  }
}

function forwardedIdentity(request: FastifyRequest, source: Extract<ClientIdentitySource, { mode: 'proxy-header' }>): Promise<ClientIdentity> {
  const copies = request.raw.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === source.header).length;
  if (copies > 1) throw new ClientIdentityError('CERT_MALFORMED', `the certificate header ${source.header} appears ${copies} times`);
  return identityFromForwardedHeader(request.headers[source.header], source.verifier);
}

/**
 * Establishes the caller of every route marked @RequireClient when its headers have arrived, before its body is
 * read: a request without an acceptable certificate is refused without reading what it sends.
 */
@Injectable()
export class ClientIdentityAdmission implements RequestAdmission, OnModuleInit {
  constructor(
    @Inject(CLIENT_IDENTITY_SOURCE) private readonly source: ClientIdentitySource,
    private readonly admissions: RequestAdmissions,
  ) {}

  onModuleInit(): void {
    this.admissions.register(this);
  }

  async admit(request: FastifyRequest): Promise<void> {
    if (routeConfigOf(request).clientIdentity === 'required') await establishClientIdentity(request, this.source);
  }
}

/** Admits only callers with a trusted client certificate carrying an OIN; the identity is then on the request. */
@Injectable()
export class ClientIdentityGuard implements CanActivate {
  constructor(@Inject(CLIENT_IDENTITY_SOURCE) private readonly source: ClientIdentitySource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await establishClientIdentity(context.switchToHttp().getRequest<IdentifiedRequest>(), this.source);
    return true;
  }
}

/** The route serves only callers with an acceptable client certificate, checked before the body is read. */
export const RequireClient = (): MethodDecorator => applyDecorators(withRouteConfig({ clientIdentity: 'required' }), UseGuards(ClientIdentityGuard));

/** What a service that identifies its callers provides: the source, the admission and the guard. */
export function clientIdentityProviders(source: ClientIdentitySource): Provider[] {
  return [{ provide: CLIENT_IDENTITY_SOURCE, useValue: source }, ClientIdentityAdmission, ClientIdentityGuard];
}

/** The caller's identity, established by RequireClient. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): ClientIdentity => {
  const identity = context.switchToHttp().getRequest<IdentifiedRequest>().clientIdentity;
  if (!identity) throw new Error('Caller used on a route without RequireClient');
  return identity;
});
