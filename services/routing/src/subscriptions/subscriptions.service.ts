import { randomUUID } from 'node:crypto';

import { Refusal } from '@poort/contracts';
import { ROUTE_FORMATS, offeredToSubscribers, type MessageCatalog, type Recipient } from '@poort/message-types';
import type { Operators } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

import { SubscriptionRequest, type Subscription } from './subscription.js';
import type { ChangeOutcome, SubscriptionFields, SubscriptionScope, SubscriptionsRepository } from './subscriptions.repository.js';

export interface SubscriptionLimits {
  /** How many subscriptions one subscriber (OIN) may have. */
  readonly maxPerSubscriber: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The subscriptions self-service: who may manage which subscriptions, and what a subscription may say.
 *
 * A subscriber is a configured recipient: the OIN of its certificate is the `oin` of a recipient profile, and what it
 * subscribes arrives through that profile. It sees and changes its own subscriptions only; someone else's and one that
 * does not exist are refused alike (SUBSCRIPTION_NOT_FOUND). An operator of the platform (OPERATOR_OINS) manages
 * everyone's, naming the recipient profile when it creates one. Anyone else is refused (SUBSCRIPTION_NOT_A_RECIPIENT).
 */
export class SubscriptionService {
  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly catalog: MessageCatalog,
    private readonly operators: Operators,
    private readonly limits: SubscriptionLimits,
  ) {}

  async create(caller: ClientIdentity, body: unknown): Promise<Subscription> {
    this.scopeOf(caller);
    const fields = this.fieldsOf(caller, body);
    const outcome = await this.repository.create(randomUUID(), fields, this.limits.maxPerSubscriber);
    switch (outcome.kind) {
      case 'created':
        return outcome.subscription;
      case 'duplicate':
        throw duplicate(outcome.existingId);
      case 'limit-reached':
        throw new Refusal('SUBSCRIPTION_LIMIT_REACHED', 'unprocessable', `OIN ${fields.subscriberOin} has ${outcome.limit} subscriptions, the most it may have`);
    }
  }

  async list(caller: ClientIdentity): Promise<Subscription[]> {
    return this.repository.list(this.scopeOf(caller));
  }

  async get(caller: ClientIdentity, id: string): Promise<Subscription> {
    const scope = this.scopeOf(caller);
    checkId(id);
    const subscription = await this.repository.find(scope, id);
    if (!subscription) throw notFound(id);
    return subscription;
  }

  /** Replaces what the subscription says; `ifMatch` (an ETag) makes it conditional on the version the caller saw. */
  async replace(caller: ClientIdentity, id: string, body: unknown, ifMatch: string | undefined): Promise<Subscription> {
    const scope = this.scopeOf(caller);
    checkId(id);
    const current = await this.repository.find(scope, id);
    if (!current) throw notFound(id);
    // An operator changing someone's subscription keeps it on that subscriber's profile unless it names another.
    const fields = this.fieldsOf(caller, body, current.recipientId);
    return settled(await this.repository.replace(scope, id, fields, expectedVersion(ifMatch)), id);
  }

  async delete(caller: ClientIdentity, id: string, ifMatch: string | undefined): Promise<void> {
    const scope = this.scopeOf(caller);
    checkId(id);
    settled(await this.repository.delete(scope, id, expectedVersion(ifMatch)), id);
  }

  /** Whose subscriptions the caller may manage; refuses a caller who is neither an operator nor a recipient. */
  private scopeOf(caller: ClientIdentity): SubscriptionScope {
    if (this.operators.includes(caller)) return { everyone: true };
    if (this.catalog.recipients.some((recipient) => recipient.oin === caller.oin)) return { subscriberOin: caller.oin };
    throw new Refusal('SUBSCRIPTION_NOT_A_RECIPIENT', 'forbidden', `OIN ${caller.oin} is not a configured recipient: only recipients subscribe`);
  }

  private fieldsOf(caller: ClientIdentity, body: unknown, currentRecipient?: string): SubscriptionFields {
    const parsed = SubscriptionRequest.safeParse(body ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new Refusal('SUBSCRIPTION_INVALID', 'invalid', `not a subscription: ${issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; ')}`, { issues });
    }
    const request = parsed.data;
    const type = this.catalog.find(request.berichtsoort);
    if (!type) throw new Refusal('SUBSCRIPTION_BERICHTSOORT_UNKNOWN', 'unprocessable', `Poort carries no berichtsoort ${request.berichtsoort}`);
    if (request.format === 'transformed' && type.transformation === 'none') {
      throw new Refusal('SUBSCRIPTION_FORMAT_UNAVAILABLE', 'unprocessable', `berichtsoort ${request.berichtsoort} has no transformation: subscribe to the original format`);
    }
    if (!offeredToSubscribers(type, request.format)) {
      const offered = ROUTE_FORMATS.filter((format) => offeredToSubscribers(type, format));
      throw new Refusal('SUBSCRIPTION_FORMAT_UNAVAILABLE', 'unprocessable', `berichtsoort ${request.berichtsoort} does not offer ${request.format} to subscribers (offered: ${offered.join(', ')})`);
    }
    const recipient = this.receivingProfile(caller, request.recipient ?? currentRecipient);
    return {
      subscriberOin: recipient.oin,
      recipientId: recipient.id,
      berichtsoort: request.berichtsoort,
      format: request.format,
      ...(request.identiteitBelanghebbende === undefined ? {} : { identiteitBelanghebbende: request.identiteitBelanghebbende }),
      ...(request.identiteitOntvanger === undefined ? {} : { identiteitOntvanger: request.identiteitOntvanger }),
    };
  }

  /** The recipient profile that is to receive: the one named (the caller's own, unless an operator), or the caller's only one. */
  private receivingProfile(caller: ClientIdentity, named: string | undefined): Recipient {
    const operator = this.operators.includes(caller);
    if (named !== undefined) {
      const recipient = this.catalog.findRecipient(named);
      if (recipient && (operator || recipient.oin === caller.oin)) return recipient;
      // Someone else's profile is refused as an unknown one: the ids of recipients are not the caller's to learn.
      throw new Refusal('SUBSCRIPTION_RECIPIENT_UNKNOWN', 'unprocessable', `no recipient profile ${named} for OIN ${operator ? '(any)' : caller.oin}`);
    }
    const own = this.catalog.recipients.filter((recipient) => recipient.oin === caller.oin);
    if (own.length === 1) return own[0]!;
    if (own.length === 0) throw new Refusal('SUBSCRIPTION_RECIPIENT_REQUIRED', 'unprocessable', 'name the recipient profile that is to receive (recipient)');
    throw new Refusal('SUBSCRIPTION_RECIPIENT_AMBIGUOUS', 'unprocessable', `OIN ${caller.oin} has several recipient profiles: name one (recipient)`, {
      recipients: own.map((recipient) => recipient.id),
    });
  }
}

/** The subscription's ETag: its version. */
export const etagOf = (subscription: Pick<Subscription, 'version'>): string => `"${subscription.version}"`;

/** The version an If-Match asks for: none for absent or `*`; one no subscription has for anything but one of our ETags. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const version = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(ifMatch)?.[1];
  return version === undefined ? 0 : Number(version);
}

function settled<T>(outcome: ChangeOutcome<T>, id: string): T {
  switch (outcome.kind) {
    case 'done':
      return outcome.value;
    case 'not-found':
      throw notFound(id);
    case 'version-mismatch':
      throw new Refusal('SUBSCRIPTION_VERSION_MISMATCH', 'precondition-failed', `subscription ${id} has changed: it is at version ${outcome.current}`, {
        etag: etagOf({ version: outcome.current }),
      });
    case 'duplicate':
      throw duplicate(outcome.existingId);
  }
}

function checkId(id: string): void {
  if (!UUID.test(id)) throw new Refusal('SUBSCRIPTION_ID_INVALID', 'invalid', 'a subscription id is a UUID in lowercase');
}

function notFound(id: string): Refusal {
  return new Refusal('SUBSCRIPTION_NOT_FOUND', 'not-found', `no subscription ${id}`);
}

function duplicate(existingId: string): Refusal {
  return new Refusal('SUBSCRIPTION_DUPLICATE', 'conflict', `the same subscription exists already: ${existingId}`, { id: existingId });
}
