import { Readable } from 'node:stream';

import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { FOUTCODE, Refusal } from '@poort/contracts';
import { Caller, RequireClient } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';
import { PayloadStore } from '@poort/payload-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { contentDisposition } from '../delivery/channels/header-encoding.js';
import { DeliveryMetrics } from '../delivery/delivery.metrics.js';
import { rangeRequest } from './byte-range.js';
import { FileAccess } from './file-access.js';

const Kenmerk = z.string().min(1).max(40);

/**
 * The recipients' file endpoint of Grote Berichten (PULL, domain 3.3): GET (and HEAD) of a large content that a
 * notice pointed the recipient to, over two-way TLS, with byte ranges to resume (Range, If-Range, ETag). The file is
 * streamed from the payload store a chunk at a time, whatever its size; a client that goes away ends the stream.
 */
@Controller('api/v1/bestanden')
export class FilesController {
  constructor(
    private readonly files: FileAccess,
    private readonly payloads: PayloadStore,
    private readonly metrics: DeliveryMetrics,
  ) {}

  /** Fastify answers HEAD through this route too (its exposeHeadRoutes): the same headers, no bytes read. */
  @Get(':kenmerk')
  @RequireClient()
  async bestand(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const parsed = Kenmerk.safeParse(kenmerk);
    const file = parsed.success ? await this.files.find(caller, parsed.data) : undefined;
    if (!file) throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'not-found', `geen bestand ${kenmerk.slice(0, 40)} voor ${caller.oin}`);
    const { payload, etag } = file;
    void reply
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header('content-type', payload.mimeType)
      .header('content-disposition', contentDisposition(payload.bestandsnaam))
      .header('cache-control', 'private, no-store');
    const header = (name: string) => [request.headers[name]].flat()[0];
    const range = rangeRequest(payload.size, header('range'), header('if-range'), etag);
    if (range.kind === 'unsatisfiable') {
      await reply
        .status(416)
        .header('content-range', `bytes */${payload.size}`)
        .header('content-type', 'application/json')
        .send({ code: 'RANGE_NOT_SATISFIABLE', message: `het bestand heeft ${payload.size} bytes; de gevraagde reeks ligt erbuiten` });
      return;
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, payload.size - 1];
    void reply.status(range.kind === 'partial' ? 206 : 200).header('content-length', String(end - start + 1));
    if (range.kind === 'partial') void reply.header('content-range', `bytes ${start}-${end}/${payload.size}`);
    if (request.method === 'HEAD' || payload.size === 0) {
      // Written as is: Fastify's HEAD handling would say Content-Length 0, or read a stream to its end.
      reply.hijack();
      reply.raw.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>);
      reply.raw.end();
      return;
    }
    const served = this.metrics.fileBytesServed.labels({ recipient: file.recipientId });
    const body = Readable.from(counted(this.payloads.readRange(payload, start, end), (bytes) => served.inc(bytes)), { objectMode: false });
    // A client that goes away mid-file: the stream (and its query loop) ends with the connection.
    reply.raw.once('close', () => body.destroy());
    await reply.send(body);
  }
}

async function* counted(source: AsyncIterable<Buffer>, count: (bytes: number) => void): AsyncIterable<Buffer> {
  for await (const piece of source) {
    count(piece.byteLength);
    yield piece;
  }
}
