import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { endpointUrl } from '@poort/nest-edge';
import { AFLEVER_SERVICE, publishedWsdl, publishedXsd } from '@poort/wus';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const WUS_PUBLIC_URL = Symbol('delivery.wus-public-url');

/**
 * The AfleverService WSDL that recipients implement (Poort calls it; Logius publishes none), with the koppelvlak XSD
 * beside it: `GET /wus/2.0/afleverservice/1.2?wsdl` and `?xsd=digipoort-koppelvlak-1.2.xsd`, as the WUS endpoints
 * publish theirs. No certificate needed: it is public interface text.
 */
@Controller(AFLEVER_SERVICE.path.slice(1))
export class AfleverWsdlController {
  constructor(@Inject(WUS_PUBLIC_URL) private readonly publicUrl: string | undefined) {}

  @Get()
  describe(@Query('xsd') xsd: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const text = xsd === undefined ? publishedWsdl(AFLEVER_SERVICE, endpointUrl(request, AFLEVER_SERVICE, this.publicUrl)) : publishedXsd(xsd);
    if (text === undefined) {
      void reply.status(404).header('content-type', 'text/plain; charset=utf-8').send(`no schema ${xsd}`);
      return;
    }
    void reply.status(200).header('content-type', 'text/xml; charset=utf-8').send(text);
  }
}
