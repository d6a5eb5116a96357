import type { Envelope } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';

export type AuthorizationDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** May this sender (by the OIN of its certificate) send this berichtsoort? The configured table decides. */
export function decide(catalog: MessageCatalog, envelope: Envelope): AuthorizationDecision {
  const type = catalog.find(envelope.berichtsoort);
  if (!type) return { allowed: false, reason: `berichtsoort ${envelope.berichtsoort} is onbekend` };
  if (!type.authorization.allowedSenders.includes(envelope.sender.oin)) {
    return {
      allowed: false,
      reason: `OIN ${envelope.sender.oin} is niet geautoriseerd voor berichtsoort ${envelope.berichtsoort}`,
    };
  }
  return { allowed: true };
}
