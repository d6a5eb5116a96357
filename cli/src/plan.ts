import { AVAILABLE, chooseTransport, type TransportLimits, type TransportMode, type TransportName } from './transport-choice.js';
import type { SubmissionItem } from './transports/transport.js';

export interface SubmissionPlan {
  /** Already acknowledged in the journal: not sent again. */
  readonly skipped: readonly SubmissionItem[];
  /** What each available transport sends, in file order. */
  readonly send: ReadonlyMap<TransportName, readonly SubmissionItem[]>;
  /** Files only a transport Poort does not offer yet could take. */
  readonly unavailable: readonly { readonly item: SubmissionItem; readonly transport: TransportName }[];
}

/** Which files go, and how: the journal's acknowledged ones are skipped; the rest get a transport each. */
export function planSubmission(items: readonly SubmissionItem[], acknowledged: (aanleverkenmerk: string) => boolean, mode: TransportMode, limits: TransportLimits): SubmissionPlan {
  const skipped: SubmissionItem[] = [];
  const toSend: SubmissionItem[] = [];
  for (const item of items) (acknowledged(item.aanleverkenmerk) ? skipped : toSend).push(item);
  const inBand = toSend.filter((item) => item.size <= limits.inBandMaxBytes).length;
  const send = new Map<TransportName, SubmissionItem[]>();
  const unavailable: { item: SubmissionItem; transport: TransportName }[] = [];
  for (const item of toSend) {
    const transport = chooseTransport(item.size, inBand, mode, limits);
    if (!AVAILABLE[transport]) {
      unavailable.push({ item, transport });
      continue;
    }
    const list = send.get(transport) ?? [];
    list.push(item);
    send.set(transport, list);
  }
  return { skipped, send, unavailable };
}
