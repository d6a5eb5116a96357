import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, type InjectionToken, type Provider, type Type } from '@nestjs/common';
import type { ClientIdentityEnv, WusEnv } from '@poort/config';
import type { Pool } from '@poort/message-state';
import { DB_POOL, LOGGER, MaxBodyBytes, RefusalRenderers } from '@poort/nest-kit';
import { PoortMetrics, type Logger } from '@poort/observability';
import { verifierFromFiles, type ClientIdentity } from '@poort/pki';
import { KOPPELVLAK_XSD_PATH, PostgresReplayGuard, WusEndpoint, publishedWsdl, publishedXsd, type WusOperationHandler, type WusService } from '@poort/wus';
import { compileSchema } from '@poort/xml';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Caller, RequireClient } from '../client-identity.guard.js';
import { wsSecurity } from './soap-security.js';
import { XmlBodyParser, endpointUrl, sendSoap, soapFaultRenderer, soapRequestParts } from './wus-http.js';

/** What a WUS endpoint reads of its service's config: the WUS settings and the trust settings of the TLS layer. */
export type WusConfig = WusEnv & Pick<ClientIdentityEnv, 'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CA_FILE' | 'TLS_CRL_FILE' | 'REVOCATION_POLICY'>;

/** The setting that admits SHA-1 in WS-Security, as a refusal names it to the sender. */
const LEGACY_SHA1_SETTING = 'WUS_ALLOW_SHA1=true';

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

/** One service's own providers, so that a service may serve several WUS services (delivery: zetStatus, OphaalService). */
const endpointTokens = new Map<string, { endpoint: symbol; faults: symbol }>();
function tokensOf(service: WusService): { endpoint: symbol; faults: symbol } {
  let tokens = endpointTokens.get(service.name);
  if (!tokens) {
    tokens = { endpoint: Symbol(`poort.wus.${service.name}.endpoint`), faults: Symbol(`poort.wus.${service.name}.faults`) };
    endpointTokens.set(service.name, tokens);
  }
  return tokens;
}

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
  const tokens = tokensOf(service);
  return {
    controller: wusController(service, setup.maxRequestBytes, tokens.endpoint),
    providers: [
      XmlBodyParser,
      { provide: WUS_PUBLIC_URL, useValue: config.WUS_PUBLIC_URL },
      // Every refusal on the service's paths, also those before the endpoint runs (TLS identity, body limit), is a SOAP fault.
      {
        provide: tokens.faults,
        inject: [RefusalRenderers],
        useFactory: (renderers: RefusalRenderers) => {
          renderers.register(soapFaultRenderer(service));
          return service.name;
        },
      },
      {
        provide: tokens.endpoint,
        inject: [DB_POOL, LOGGER, ...setup.handlers.inject],
        useFactory: (pool: Pool, logger: Logger, ...dependencies: never[]) => {
          if (config.WUS_ALLOW_SHA1) {
            logger.warn({ wus: service.name, setting: LEGACY_SHA1_SETTING }, 'legacy WS-Security algorithms are on: SHA-1 digests and RSA-SHA1 signatures are accepted');
          }
          return new WusEndpoint({
            service,
            security: wsSecurity(
              { certFile, keyFile },
              { maxMessageAgeMs: config.WUS_MAX_MESSAGE_AGE_MS, allowSha1: config.WUS_ALLOW_SHA1, legacySwitchName: LEGACY_SHA1_SETTING },
            ),
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
          });
        },
      },
    ],
  };
}

function wusController(service: WusService, maxRequestBytes: number, endpointToken: symbol): Type {
  @Controller(service.path.slice(1))
  class WusController {
    constructor(
      @Inject(endpointToken) private readonly endpoint: WusEndpoint,
      @Inject(WUS_PUBLIC_URL) private readonly publicUrl: string | undefined,
      @Inject(LOGGER) private readonly logger: Logger,
      private readonly metrics: PoortMetrics,
    ) {}

    @Post()
    @HttpCode(200)
    @RequireClient()
    @MaxBodyBytes(maxRequestBytes)
    async invoke(@Caller() caller: ClientIdentity, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
      const response = await this.endpoint.handle({ ...soapRequestParts(request), tlsIdentity: caller });
      if (response.fault) {
        // Refusals inside the endpoint (envelope, signature, koppelvlak, use case) are counted and logged like every other.
        this.metrics.refusals.inc({ code: response.fault.foutcode });
        if (response.fault.faultcode === 'Client') {
          this.logger.info({ code: response.fault.foutcode, path: service.path, oin: caller.oin, reason: response.fault.foutbeschrijving.slice(0, 200) }, 'request refused');
        }
      }
      sendSoap(reply, response);
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
