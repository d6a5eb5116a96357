import {
  Inject,
  Injectable,
  UseGuards,
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import type { OperatorEnv } from '@poort/config';
import { RequestAdmissions, httpError, routeConfigOf, withRouteConfig, type PoortRouteConfig, type RequestAdmission } from '@poort/nest-kit';
import { parseOin, type ClientIdentity, type Oin } from '@poort/pki';
import type { FastifyRequest } from 'fastify';

import { CLIENT_IDENTITY_SOURCE, ClientIdentityGuard, establishClientIdentity, type ClientIdentitySource, type IdentifiedRequest } from './client-identity.guard.js';

/** The code of a known caller refused a route that is not for it (HTTP 403). */
export const ACCESS_DENIED = 'ACCESS_DENIED';

/**
 * The platform's operators (OPERATOR_OINS): the callers that may use operator-only routes and read what belongs to
 * others, such as every archived message. Anyone else is a sender or recipient and sees only its own.
 */
export class Operators {
  readonly oins: ReadonlySet<Oin>;

  /** Each OIN is checked as an OIN (a typo must not silently leave the platform without operators). */
  constructor(oins: Iterable<string>) {
    this.oins = new Set([...oins].map((oin) => parseOin(oin)));
  }

  static fromConfig(config: OperatorEnv): Operators {
    return new Operators(config.OPERATOR_OINS);
  }

  /** Is this caller an operator? */
  includes(caller: Pick<ClientIdentity, 'oin'>): boolean {
    return this.oins.has(caller.oin);
  }
}

/** What an operator-only route says about itself, read before its body is read (see OperatorAdmission). */
interface OperatorRouteConfig extends PoortRouteConfig {
  readonly access?: 'operator';
}

const operatorRoute: OperatorRouteConfig = { clientIdentity: 'required', access: 'operator' };

function refuseUnlessOperator(operators: Operators, caller: ClientIdentity): void {
  if (!operators.includes(caller)) throw httpError(403, ACCESS_DENIED, `this route is for operators of the platform; OIN ${caller.oin} is not one`);
}

/**
 * Refuses a caller who is not an operator on a route marked @RequireOperator as soon as the headers have arrived,
 * before its body is read, as ClientIdentityAdmission does for a caller without a certificate.
 */
@Injectable()
export class OperatorAdmission implements RequestAdmission, OnModuleInit {
  constructor(
    @Inject(CLIENT_IDENTITY_SOURCE) private readonly source: ClientIdentitySource,
    private readonly operators: Operators,
    private readonly admissions: RequestAdmissions,
  ) {}

  onModuleInit(): void {
    this.admissions.register(this);
  }

  async admit(request: FastifyRequest): Promise<void> {
    if ((routeConfigOf(request) as OperatorRouteConfig).access !== 'operator') return;
    refuseUnlessOperator(this.operators, await establishClientIdentity(request, this.source));
  }
}

/** Admits only operators; runs after ClientIdentityGuard, so the caller is established (401 without a certificate). */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    @Inject(CLIENT_IDENTITY_SOURCE) private readonly source: ClientIdentitySource,
    private readonly operators: Operators,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    refuseUnlessOperator(this.operators, await establishClientIdentity(context.switchToHttp().getRequest<IdentifiedRequest>(), this.source));
    return true;
  }
}

/**
 * The route serves only the platform's operators: a caller without an acceptable certificate is refused with 401
 * (its certificate's code), any other caller with 403 ACCESS_DENIED, both before the body is read. Needs
 * clientIdentityProviders and operatorProviders in the module.
 */
export const RequireOperator = (): MethodDecorator =>
  applyDecorators(withRouteConfig(operatorRoute), UseGuards(ClientIdentityGuard, OperatorGuard));

/** What a service with operator-only routes or per-caller access provides: the operators, the admission and the guard. */
export function operatorProviders(operators: Operators): Provider[] {
  return [{ provide: Operators, useValue: operators }, OperatorAdmission, OperatorGuard];
}
