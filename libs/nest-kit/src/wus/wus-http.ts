import { HttpException, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  AANLEVER_SERVICE,
  STATUSINFORMATIE_SERVICE,
  WUS_CODE,
  WusFault,
  faultAction,
  faultBody,
  responseEnvelope,
  type WusHttpResponse,
  type WusService,
} from '@poort/wus';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** SOAP 1.1 is text/xml; the other XML types are accepted as bytes only so that the endpoint can answer with a fault. */
const XML_MEDIA_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];

/** Registers a raw-bytes body parser for XML media types (the JSON parser of the REST routes stays as it is). */
@Injectable()
export class XmlBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(XML_MEDIA_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  }
}

export function sendSoap(reply: FastifyReply, response: WusHttpResponse): void {
  void reply.status(response.status).header('content-type', response.contentType).send(response.body);
}

export function soapRequestParts(request: FastifyRequest): { body: Uint8Array; contentType: string | undefined; soapAction: string | undefined } {
  const soapAction = request.headers['soapaction'];
  return {
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    contentType: request.headers['content-type'],
    soapAction: Array.isArray(soapAction) ? soapAction.join(',') : soapAction,
  };
}

/** The URL this endpoint is reached at: configured, or as the request addressed it. */
export function endpointUrl(request: FastifyRequest, service: WusService, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/+$/, '')}${service.path}`;
}

const WUS_SERVICES: readonly WusService[] = [AANLEVER_SERVICE, STATUSINFORMATIE_SERVICE];

/** The WUS service a request path belongs to, if any: its refusals must be SOAP faults, not JSON. */
export function wusServiceFor(url: string): WusService | undefined {
  const path = url.split('?')[0] ?? '';
  return WUS_SERVICES.find((service) => path === service.path || path.startsWith(`${service.path}/`));
}

/**
 * Refusals that happen before the WUS endpoint runs (client certificate, body limit, unparsable body) as unsigned
 * SOAP faults, so that a SOAP client always gets a fault it can read.
 */
export function sendWusFault(reply: FastifyReply, service: WusService, error: unknown): void {
  const body = responseEnvelope({ action: faultAction(service, undefined) }, faultBody(service, toFault(service, error)));
  void reply.status(500).header('content-type', 'text/xml; charset=utf-8').send(body);
}

function toFault(service: WusService, error: unknown): WusFault {
  if (error instanceof WusFault) return error;
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown }).statusCode;
  if (status === 401 || status === 403) {
    const message = error instanceof HttpException ? JSON.stringify(error.getResponse()) : 'niet geautoriseerd';
    return new WusFault('Client', WUS_CODE.notAuthorised, `niet geautoriseerd: ${message}`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new WusFault('Client', service.interfaceFoutcode, `het verzoek is geweigerd: ${(error as Error).message}`);
  }
  return new WusFault('Server', service.technicalFoutcode, 'Er is een technische fout opgetreden; probeer het later opnieuw');
}
