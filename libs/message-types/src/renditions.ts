import type { MessageType, RenditionName, Route, RouteFormat } from './schema.js';

/** The rendition a route or subscription format names: none for the original, the type's own for `transformed`. */
export function renditionFor(type: MessageType, format: RouteFormat): RenditionName | undefined {
  if (format === 'original') return undefined;
  if (format === 'transformed') return type.transformation === 'none' ? undefined : type.transformation;
  return format;
}

/** Whether a route applies to a message for this identiteitOntvanger (nummer). */
export function routeApplies(route: Route, ontvanger: string | undefined): boolean {
  return route.whenOntvanger === undefined || route.whenOntvanger === ontvanger;
}

/** Whether a subscription to messages of this type may ask for this format: the type makes that rendition of each one. */
export function offeredToSubscribers(type: MessageType, format: RouteFormat): boolean {
  const rendition = renditionFor(type, format);
  if (rendition === undefined) return format === 'original';
  return rendition === type.transformation || type.subscriberRenditions.includes(rendition);
}

/**
 * The renditions a message of this type is transformed into: the type's own transformation (what `transformed`
 * routes and subscriptions get), those it offers subscribers, and each one that a route applying to the message
 * names. A rendition no route or subscription can ask for is not made.
 */
export function renditionsNeeded(type: MessageType, ontvanger: string | undefined): RenditionName[] {
  const needed = new Set<RenditionName>();
  if (type.transformation !== 'none') needed.add(type.transformation);
  for (const rendition of type.subscriberRenditions) needed.add(rendition);
  for (const route of type.routing.routes) {
    const rendition = routeApplies(route, ontvanger) ? renditionFor(type, route.format) : undefined;
    if (rendition !== undefined) needed.add(rendition);
  }
  return [...needed];
}
