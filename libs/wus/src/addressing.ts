import type { XmlElement } from '@poort/xml';

import { NS, WSA_ANONYMOUS } from './namespaces.js';
import { childElements } from './soap-request.js';
import type { WusOperation } from './services.js';
import { WUS_CODE, clientFault } from './wus-fault.js';

/** The WS-Addressing values of a request, after the checks. */
export interface RequestAddressing {
  readonly to: string;
  readonly action: string;
  readonly messageId: string;
}

/**
 * SOAPAction is empty or equal to wsa:Action (WUS). The header is read before the signature is checked: it only
 * ever narrows what is accepted, wsa:Action itself is checked again from the signed header.
 */
export function checkSoapAction(soapActionHeader: string | undefined, wsaAction: string | undefined): void {
  const soapAction = (soapActionHeader ?? '').trim().replace(/^"(.*)"$/, '$1');
  if (soapAction !== '' && soapAction !== wsaAction) {
    throw clientFault(WUS_CODE.invalidSoapAction, `SOAPAction ${soapAction} is niet leeg en niet gelijk aan wsa:Action`);
  }
}

/** wsa:Action as it appears in the header, unverified: used only for the SOAPAction comparison. */
export function unverifiedAction(headerBlocks: readonly XmlElement[]): string | undefined {
  return headerBlocks.find((block) => block.namespaceUri === NS.wsa && block.name === 'Action')?.content.trim();
}

/**
 * The WS-Addressing rules of the koppelvlak (domain.md 1.2): To, Action and MessageID present and signed, To this
 * endpoint, Action this operation's, ReplyTo (if any) anonymous. Every wsa header must be among the signed ones.
 */
export function checkAddressing(
  headerBlocks: readonly XmlElement[],
  signed: ReadonlyMap<string, XmlElement>,
  expected: { readonly endpointPath: string; readonly operation: WusOperation },
): RequestAddressing {
  const signedNodes = [...signed.values()];
  const seen = new Set<string>();
  for (const block of headerBlocks) {
    if (block.namespaceUri !== NS.wsa) continue;
    if (seen.has(block.name)) throw clientFault(WUS_CODE.headerValue, `wsa:${block.name} komt meer dan eens voor`);
    seen.add(block.name);
    if (!signedNodes.some((node) => node.isSameNode(block))) {
      throw clientFault(WUS_CODE.headerValue, `wsa:${block.name} is niet ondertekend`);
    }
  }
  const to = signed.get('To')?.content.trim();
  if (!to) throw clientFault(WUS_CODE.toMissing, 'wsa:To ontbreekt');
  const action = signed.get('Action')?.content.trim();
  if (!action) throw clientFault(WUS_CODE.actionMissing, 'wsa:Action ontbreekt');
  const messageId = signed.get('MessageID')?.content.trim();
  if (!messageId) throw clientFault(WUS_CODE.messageIdMissing, 'wsa:MessageID ontbreekt');

  if (endpointPathOf(to) !== expected.endpointPath) {
    throw clientFault(WUS_CODE.headerValue, `wsa:To ${to} is niet het endpoint van deze service (${expected.endpointPath})`);
  }
  if (action !== expected.operation.action) {
    throw clientFault(WUS_CODE.headerValue, `wsa:Action ${action} hoort niet bij ${expected.operation.name}; verwacht ${expected.operation.action}`);
  }
  const replyTo = signed.get('ReplyTo');
  if (replyTo !== undefined) {
    const address = childElements(replyTo).find((child) => child.namespaceUri === NS.wsa && child.name === 'Address')?.content.trim();
    if (address !== WSA_ANONYMOUS) throw clientFault(WUS_CODE.headerValue, `wsa:ReplyTo moet ${WSA_ANONYMOUS} zijn`);
  }
  return { to, action, messageId };
}

/**
 * The path of a wsa:To address. Host and port are not compared: behind a proxy or a load balancer the address a
 * client uses differs from this process's, and TLS already binds the connection to this server. A query such as
 * `?OIN=…` (Digikoppeling 3.1) is allowed.
 */
function endpointPathOf(address: string): string | undefined {
  try {
    return new URL(address).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
