import { HttpException, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Refusal } from '@poort/contracts';
import { statusOf, type RefusalRenderer } from '@poort/nest-kit';
import { WUS_CODE, WusFault, faultAction, faultBody, faultForRefusal, soapResponse, unsignedEnvelope, type WusHttpResponse, type WusService } from '@poort/wus';
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
  if (response.fault?.retryAfterSeconds !== undefined) void reply.header('retry-after', String(Math.ceil(response.fault.retryAfterSeconds)));
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

/**
 * Refusals that happen before the WUS endpoint runs (client certificate, body limit, timeouts, malformed HTTP) as
 * unsigned SOAP faults on the service's paths, so that a SOAP client always gets a fault it can read.
 */
export function soapFaultRenderer(service: WusService): RefusalRenderer {
  return {
    handles: (path) => path === service.path || path.startsWith(`${service.path}/`),
    render: (error) => {
      const fault = toFault(service, error);
      const body = unsignedEnvelope(soapResponse({ action: faultAction(service, undefined) }, faultBody(service, fault)));
      return { status: 500, code: fault.foutcode, contentType: 'text/xml; charset=utf-8', body };
    },
  };
}

function toFault(service: WusService, error: unknown): WusFault {
  if (error instanceof WusFault) return error;
  if (error instanceof Refusal) return faultForRefusal(error);
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    const message = error instanceof HttpException ? JSON.stringify(error.getResponse()) : 'niet geautoriseerd';
    return new WusFault('Client', WUS_CODE.notAuthorised, `niet geautoriseerd: ${message}`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new WusFault('Client', service.interfaceFoutcode, `het verzoek is geweigerd: ${(error as Error).message}`);
  }
  return new WusFault('Server', service.technicalFoutcode, 'Er is een technische fout opgetreden; probeer het later opnieuw');
}
