import { Controller, Get, Param, Res } from '@nestjs/common';
import { Refusal, plainTextProblem } from '@poort/contracts';
import { PayloadStore } from '@poort/payload-store';
import type { FastifyReply } from 'fastify';

import { ArchiveRepository, type ArchivedMessage } from './archive.repository.js';

/** Retrieval for the platform team and auditors: a message's envelope, content and full history by kenmerk. */
@Controller('archive/v1/messages')
export class ArchiveController {
  constructor(
    private readonly archive: ArchiveRepository,
    private readonly payloads: PayloadStore,
  ) {}

  @Get(':kenmerk')
  async get(@Param('kenmerk') kenmerk: string): Promise<ArchivedMessage> {
    checkKenmerk(kenmerk);
    const message = await this.archive.find(kenmerk);
    if (!message) throw notArchived(kenmerk);
    return message;
  }

  @Get(':kenmerk/content')
  async content(@Param('kenmerk') kenmerk: string, @Res() reply: FastifyReply): Promise<void> {
    checkKenmerk(kenmerk);
    const message = await this.archive.find(kenmerk);
    if (!message) throw notArchived(kenmerk);
    const { content } = message.envelope;
    await reply
      .header('content-type', content.mimeType)
      .header('content-length', String(content.size))
      .header('x-content-sha256', content.sha256)
      .send(this.payloads.stream(content));
  }
}

/** A kenmerk Postgres can compare; anything else is refused before a query runs. */
function checkKenmerk(kenmerk: string): void {
  const problem = kenmerk.length > 40 ? 'is longer than 40 characters' : plainTextProblem(kenmerk) && `contains a ${plainTextProblem(kenmerk)}`;
  if (problem) throw new Refusal('ARCHIVE_KENMERK_INVALID', 'invalid', `the kenmerk ${problem}`);
}

function notArchived(kenmerk: string): Refusal {
  return new Refusal('ARCHIVE_NOT_FOUND', 'not-found', `no archived message with kenmerk ${kenmerk}`);
}
