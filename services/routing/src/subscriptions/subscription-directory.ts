import type { Queryable } from '@poort/message-state';
import type { MessageCatalog } from '@poort/message-types';
import type { Logger } from '@poort/observability';

import type { Subscription, SubscriptionRule } from './subscription.js';
import type { SubscriptionsRepository } from './subscriptions.repository.js';

/** The subscriptions routing applies, by berichtsoort. */
export type SubscriptionsByType = ReadonlyMap<string, readonly SubscriptionRule[]>;

/**
 * The subscriptions as routing sees them, current for every run of events it handles without a query per message:
 * the first message of a run reads the subscriptions' generation (one row, in the run's transaction), and only when
 * it moved since the last look are the subscriptions read again. A subscription committed before a message is routed
 * therefore applies to it, on every replica, with no restart and no notification channel to lose.
 *
 * A subscription whose recipient profile is no longer configured, or no longer has its subscriber's OIN, is left out
 * (and logged) until the configuration or the subscription is fixed.
 */
export class SubscriptionDirectory {
  private cached: { readonly generation: number; readonly byType: SubscriptionsByType } | undefined;
  private readonly perRun = new WeakMap<object, Promise<SubscriptionsByType>>();

  constructor(
    private readonly repository: SubscriptionsRepository,
    private readonly catalog: MessageCatalog,
    private readonly logger: Logger,
  ) {}

  /** The subscriptions for the events of one run (`run`: an object that lives as long as the run, its context). */
  forRun(run: object, tx: Queryable): Promise<SubscriptionsByType> {
    let current = this.perRun.get(run);
    if (!current) {
      current = this.current(tx);
      this.perRun.set(run, current);
    }
    return current;
  }

  private async current(tx: Queryable): Promise<SubscriptionsByType> {
    const generation = await this.repository.generation(tx);
    if (this.cached?.generation === generation) return this.cached.byType;
    const snapshot = await this.repository.snapshot(tx);
    this.cached = { generation: snapshot.generation, byType: this.byType(snapshot.subscriptions) };
    this.logger.info({ generation: snapshot.generation, subscriptions: snapshot.subscriptions.length }, 'subscriptions loaded');
    return this.cached.byType;
  }

  private byType(subscriptions: readonly Subscription[]): SubscriptionsByType {
    const byType = new Map<string, SubscriptionRule[]>();
    for (const subscription of subscriptions) {
      const recipient = this.catalog.findRecipient(subscription.recipientId);
      if (recipient?.oin !== subscription.subscriberOin) {
        this.logger.warn({ subscription: subscription.id, recipient: subscription.recipientId, subscriber: subscription.subscriberOin }, 'subscription left out: its recipient profile is not configured for its subscriber');
        continue;
      }
      const rules = byType.get(subscription.berichtsoort) ?? [];
      rules.push(subscription);
      byType.set(subscription.berichtsoort, rules);
    }
    return byType;
  }
}
