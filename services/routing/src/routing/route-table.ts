import type { Envelope, PayloadRef } from '@poort/contracts';
import { renditionFor, routeApplies, type MessageCatalog, type RouteFormat } from '@poort/message-types';

import { subscriptionMatches, type SubscriptionRule } from '../subscriptions/subscription.js';

export interface RoutedDelivery {
  readonly recipientId: string;
  readonly payload: PayloadRef;
}

/** The renditions made of a message's content, by transformation name (MessageTransformed.renditions). */
export type Renditions = Readonly<Record<string, PayloadRef>>;

/**
 * The recipients of a message: every route of its type that applies to its identiteitOntvanger, then every
 * subscription that asks for it, each with the rendition it asked for. One delivery per recipient, however many
 * routes and subscriptions name it; a route comes before a subscription.
 */
export function resolveRecipients(
  catalog: MessageCatalog,
  envelope: Envelope,
  renditions: Renditions,
  subscriptions: readonly SubscriptionRule[] = [],
): RoutedDelivery[] {
  const type = catalog.get(envelope.berichtsoort);
  const ontvanger = envelope.identiteitOntvanger?.nummer;
  const payloadFor = (format: RouteFormat): PayloadRef | undefined => {
    const rendition = renditionFor(type, format);
    return rendition === undefined ? envelope.content : renditions[rendition];
  };
  const deliveries = new Map<string, RoutedDelivery>();
  for (const route of type.routing.routes) {
    if (!routeApplies(route, ontvanger) || deliveries.has(route.recipient)) continue;
    const payload = payloadFor(route.format);
    if (!payload) throw new Error(`route to ${route.recipient} wants the ${route.format} content, which is missing`);
    deliveries.set(route.recipient, { recipientId: route.recipient, payload });
  }
  for (const subscription of subscriptions) {
    if (deliveries.has(subscription.recipientId) || !subscriptionMatches(subscription, envelope)) continue;
    // A subscription outlives configuration changes: when the type no longer transforms, its subscribers get the original.
    deliveries.set(subscription.recipientId, { recipientId: subscription.recipientId, payload: payloadFor(subscription.format) ?? envelope.content });
  }
  return [...deliveries.values()];
}

/**
 * The renditions a MessageTransformed event carries. An event of a transformation stage older than named renditions
 * has only `transformed`, the type's own.
 */
export function renditionsOf(catalog: MessageCatalog, event: { envelope: Envelope; transformed?: PayloadRef | undefined; renditions?: Renditions | undefined }): Renditions {
  if (event.renditions) return event.renditions;
  const own = catalog.get(event.envelope.berichtsoort).transformation;
  return event.transformed && own !== 'none' ? { [own]: event.transformed } : {};
}
