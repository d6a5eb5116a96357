import { Catch, HttpException, Injectable, type ArgumentsHost, type ExceptionFilter, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WUS_CODE, WusFault, faultAction, faultBody, responseEnvelope, type WusHttpResponse, type WusService } from '@poort/wus';
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

/**
 * Refusals before the WUS endpoint runs (client certificate, body limit, …) as unsigned SOAP faults instead of the
 * JSON error bodies of the REST routes.
 */
export function wusFaultFilter(service: WusService): new () => ExceptionFilter {
  @Catch()
  class WusFaultFilter implements ExceptionFilter {
    catch(error: unknown, host: ArgumentsHost): void {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      const fault = toFault(service, error);
      const body = responseEnvelope({ action: faultAction(service, undefined) }, faultBody(service, fault));
      void reply.status(500).header('content-type', 'text/xml; charset=utf-8').send(body);
    }
  }
  return WusFaultFilter;
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
