import { Controller, Get, Param, Res } from '@nestjs/common';
import { Caller, RequireClient } from '@poort/nest-edge';
import { PayloadStore } from '@poort/payload-store';
import type { ClientIdentity } from '@poort/pki';
import type { FastifyReply } from 'fastify';

import type { ArchivedMessage } from './archive.repository.js';
import { ArchiveQueries } from './archive.service.js';

/**
 * Retrieval for the platform team, auditors and senders: a message's envelope, content and full history by kenmerk.
 * Only identified callers (two-way TLS); who may read which message is ArchiveQueries' decision.
 */
@Controller('archive/v1/messages')
export class ArchiveController {
  constructor(
    private readonly queries: ArchiveQueries,
    private readonly payloads: PayloadStore,
  ) {}

  @Get(':kenmerk')
  @RequireClient()
  get(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string): Promise<ArchivedMessage> {
    return this.queries.message(caller, kenmerk);
  }

  @Get(':kenmerk/content')
  @RequireClient()
  async content(@Caller() caller: ClientIdentity, @Param('kenmerk') kenmerk: string, @Res() reply: FastifyReply): Promise<void> {
    const content = await this.queries.content(caller, kenmerk);
    await reply
      .header('content-type', content.mimeType)
      .header('content-length', String(content.size))
      .header('x-content-sha256', content.sha256)
      .send(this.payloads.stream(content));
  }
}
