import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { Caller, RequireClient } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';
import type { FastifyReply } from 'fastify';

import type { Subscription } from './subscription.js';
import { SubscriptionService, etagOf } from './subscriptions.service.js';

/**
 * The subscriptions self-service for recipients (two-way TLS; the caller is its certificate's OIN): create, list,
 * read, replace and delete subscriptions to message types. Each subscription has an ETag (its version); PUT and
 * DELETE take If-Match to change only the version the caller saw. Who may do what is SubscriptionService's decision.
 */
@Controller('api/v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Post()
  @HttpCode(201)
  @RequireClient()
  async create(@Caller() caller: ClientIdentity, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Subscription> {
    const subscription = await this.subscriptions.create(caller, body);
    void reply.header('location', `/api/v1/subscriptions/${subscription.id}`).header('etag', etagOf(subscription));
    return subscription;
  }

  @Get()
  @RequireClient()
  async list(@Caller() caller: ClientIdentity): Promise<{ subscriptions: Subscription[] }> {
    return { subscriptions: await this.subscriptions.list(caller) };
  }

  @Get(':id')
  @RequireClient()
  async get(@Caller() caller: ClientIdentity, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Subscription> {
    const subscription = await this.subscriptions.get(caller, id);
    void reply.header('etag', etagOf(subscription));
    return subscription;
  }

  @Put(':id')
  @RequireClient()
  async replace(
    @Caller() caller: ClientIdentity,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Subscription> {
    const subscription = await this.subscriptions.replace(caller, id, body, ifMatch);
    void reply.header('etag', etagOf(subscription));
    return subscription;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireClient()
  async delete(@Caller() caller: ClientIdentity, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.subscriptions.delete(caller, id, ifMatch);
  }
}
