import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseGuards, type InjectionToken, type Provider, type Type } from '@nestjs/common';
import type { Pool } from '@poort/message-state';
import type { Logger } from '@poort/observability';
import { verifierFromFiles, type ClientIdentity } from '@poort/pki';
import { KOPPELVLAK_XSD_PATH, PostgresReplayGuard, WusEndpoint, publishedWsdl, publishedXsd, type WusOperationHandler, type WusService } from '@poort/wus';
import { compileSchema } from '@poort/xml';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Caller, ClientIdentityGuard } from '../client-identity.guard.js';
import { DB_POOL, LOGGER } from '../tokens.js';
import { wsSecurity } from './soap-security.js';
import { XmlBodyParser, endpointUrl, sendSoap, soapRequestParts } from './wus-http.js';

export interface WusConfig {
  readonly TLS_CERT_FILE?: string | undefined;
  readonly TLS_KEY_FILE?: string | undefined;
  readonly TLS_CA_FILE: string;
  readonly TLS_CRL_FILE?: string | undefined;
  readonly REVOCATION_POLICY: 'hard-fail' | 'soft-fail';
  readonly WUS_PUBLIC_URL?: string | undefined;
  readonly WUS_SIGNING_CERT_FILE?: string | undefined;
  readonly WUS_SIGNING_KEY_FILE?: string | undefined;
  readonly WUS_MAX_MESSAGE_AGE_MS: number;
}

export interface WusSetup {
  readonly service: WusService;
  readonly config: WusConfig;
  readonly maxRequestBytes: number;
  /** The operation handlers, made from the service's own providers. */
  readonly handlers: {
    readonly inject: InjectionToken[];
    readonly useFactory: (...dependencies: never[]) => Readonly<Record<string, WusOperationHandler>>;
  };
}

const WUS_PUBLIC_URL = Symbol('poort.wus.public-url');

/**
 * One of Digipoort's WUS services (SOAP 1.1, WS-Addressing, WS-Security) in front of a service's own use cases:
 * the controller at the published path with `?wsdl`, and the endpoint that checks, dispatches and signs.
 * Undefined (WUS off) when there is no certificate and key to sign responses with.
 */
export function wusEndpoint(setup: WusSetup): { controller: Type; providers: Provider[] } | undefined {
  const { config, service } = setup;
  const certFile = config.WUS_SIGNING_CERT_FILE ?? config.TLS_CERT_FILE;
  const keyFile = config.WUS_SIGNING_KEY_FILE ?? config.TLS_KEY_FILE;
  if (!certFile || !keyFile) return undefined;
  return {
    controller: wusController(service),
    providers: [
      XmlBodyParser,
      { provide: WUS_PUBLIC_URL, useValue: config.WUS_PUBLIC_URL },
      {
        provide: WusEndpoint,
        inject: [DB_POOL, LOGGER, ...setup.handlers.inject],
        useFactory: (pool: Pool, logger: Logger, ...dependencies: never[]) =>
          new WusEndpoint({
            service,
            security: wsSecurity({ certFile, keyFile }, { maxMessageAgeMs: config.WUS_MAX_MESSAGE_AGE_MS }),
            signingCertificates: verifierFromFiles({
              caFile: config.TLS_CA_FILE,
              ...(config.TLS_CRL_FILE ? { crlFile: config.TLS_CRL_FILE } : {}),
              purpose: 'signing',
              revocation: config.REVOCATION_POLICY,
            }),
            replay: new PostgresReplayGuard(pool),
            schema: compileSchema(KOPPELVLAK_XSD_PATH),
            handlers: setup.handlers.useFactory(...dependencies),
            maxRequestBytes: setup.maxRequestBytes,
            onError: (error) => logger.error({ err: error, wus: service.name }, 'WUS request failed'),
          }),
      },
    ],
  };
}

function wusController(service: WusService): Type {
  @Controller(service.path.slice(1))
  class WusController {
    constructor(
      private readonly endpoint: WusEndpoint,
      @Inject(WUS_PUBLIC_URL) private readonly publicUrl: string | undefined,
    ) {}

    @Post()
    @HttpCode(200)
    @UseGuards(ClientIdentityGuard)
    async invoke(@Caller() caller: ClientIdentity, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
      sendSoap(reply, await this.endpoint.handle({ ...soapRequestParts(request), tlsIdentity: caller }));
    }

    /** `?wsdl` and `?xsd=digipoort-koppelvlak-1.2.xsd`: the published interface, pointing at this server. */
    @Get()
    describe(@Query('xsd') xsd: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
      const text = xsd === undefined ? publishedWsdl(service, endpointUrl(request, service, this.publicUrl)) : publishedXsd(xsd);
      if (text === undefined) {
        void reply.status(404).header('content-type', 'text/plain; charset=utf-8').send(`no schema ${xsd}`);
        return;
      }
      void reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(text);
    }
  }
  return WusController;
}
