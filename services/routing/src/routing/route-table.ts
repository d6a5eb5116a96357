import type { Envelope, PayloadRef } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';

export interface RoutedDelivery {
  readonly recipientId: string;
  readonly payload: PayloadRef;
}

/**
 * The recipients of a message: every route of its type that applies to its identiteitOntvanger, each with
 * the rendition it asked for. One delivery per recipient, however many routes name it.
 */
export function resolveRecipients(catalog: MessageCatalog, envelope: Envelope, transformed: PayloadRef | undefined): RoutedDelivery[] {
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
  return [...deliveries.values()];
}
