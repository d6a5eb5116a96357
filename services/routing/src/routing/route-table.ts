import type { Envelope, PayloadRef } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';

import { subscriptionMatches, type SubscriptionRule } from '../subscriptions/subscription.js';

export interface RoutedDelivery {
  readonly recipientId: string;
  readonly payload: PayloadRef;
}

/**
 * The recipients of a message: every route of its type that applies to its identiteitOntvanger, then every
 * subscription that asks for it, each with the rendition it asked for. One delivery per recipient, however many
 * routes and subscriptions name it; a route comes before a subscription.
 */
export function resolveRecipients(
  catalog: MessageCatalog,
  envelope: Envelope,
  transformed: PayloadRef | undefined,
  subscriptions: readonly SubscriptionRule[] = [],
): RoutedDelivery[] {
  const type = catalog.get(envelope.berichtsoort);
  const ontvanger = envelope.identiteitOntvanger?.nummer;
  const deliveries = new Map<string, RoutedDelivery>();
  for (const route of type.routing.routes) {
    if (route.whenOntvanger !== undefined && route.whenOntvanger !== ontvanger) continue;
    if (deliveries.has(route.recipient)) continue;
    const payload = route.format === 'transformed' ? transformed : envelope.content;
    if (!payload) throw new Error(`route to ${route.recipient} wants the transformed content, which is missing`);
    deliveries.set(route.recipient, { recipientId: route.recipient, payload });
  }
  for (const subscription of subscriptions) {
    if (deliveries.has(subscription.recipientId) || !subscriptionMatches(subscription, envelope)) continue;
    // A subscription outlives configuration changes: when the type no longer transforms, its subscribers get the original.
    const payload = subscription.format === 'transformed' && transformed ? transformed : envelope.content;
    deliveries.set(subscription.recipientId, { recipientId: subscription.recipientId, payload });
  }
  return [...deliveries.values()];
}
