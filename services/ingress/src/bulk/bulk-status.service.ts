import { FOUTCODE, Refusal, STATUS_DEFINITIONS, type StatusCode } from '@poort/contracts';
import type { Operators } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

import type { BulkStatus, BulkStatusItem } from './bulk-answers.js';
import type { BulkItemState, BulksRepository } from './bulks.repository.js';

/** Items per page of a bulk status, at most and by default. */
export const BULK_STATUS_PAGE = 1_000;

export interface BulkPage {
  readonly vanaf: number;
  readonly aantal: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The status of a bulk: every item with its kenmerk or refusal (ingress's bulk_items) and, for a stored item, its
 * message's current status. That status is the status service's: read here from its message_progress, the one
 * table notification keeps of where each message stands, in the same query as the items. A bulk is ingress's
 * resource (its POST answers with its Location, on ingress), so its status is served here too; the alternative, a
 * projection of bulk membership in notification fed by a new event, would have made a second copy of every item
 * and a moment after each bulk in which its status is missing. This read-only join is the one place ingress reads a
 * table of notification's; should the two ever get databases of their own, the projection is the way.
 * Only the bulk's sender (its OIN) or an operator may read it; for anyone else it does not exist (STS100, not-found).
 */
export class BulkStatusService {
  constructor(
    private readonly bulks: BulksRepository,
    private readonly operators: Operators,
  ) {}

  async status(caller: Pick<ClientIdentity, 'oin'>, bulkId: string, page: BulkPage): Promise<BulkStatus> {
    const bulk = UUID.test(bulkId) ? await this.bulks.find(bulkId.toLowerCase()) : undefined;
    if (!bulk || (bulk.senderOin !== caller.oin && !this.operators.includes(caller))) {
      throw new Refusal(FOUTCODE.statusverzoekOngeldig, 'not-found', `er is geen bulk ${bulkId.slice(0, 40)} voor deze aanleveraar`);
    }
    // One more than the page: whether there is a next one.
    const items = await this.bulks.items(bulk.bulkId, page.vanaf, page.aantal + 1);
    const counts = await this.bulks.counts(bulk.bulkId);
    const more = items.length > page.aantal;
    return {
      bulkId: bulk.bulkId,
      tijdstempelAangeleverd: bulk.receivedAt.toISOString(),
      afgerond: bulk.completedAt !== undefined,
      samenvatting: { ...counts, ...(bulk.afgebroken ? { afgebroken: bulk.afgebroken } : {}) },
      items: items.slice(0, page.aantal).map(toStatusItem),
      ...(more ? { volgendeVanaf: items[page.aantal]!.answer.index } : {}),
    };
  }
}

/** The page of a request's vanaf and aantal query parameters (absent: the first page), refused when not in range. */
export function bulkPage(vanaf: string | undefined, aantal: string | undefined): BulkPage {
  return { vanaf: count('vanaf', vanaf, 0, 0, 2 ** 31 - 1), aantal: count('aantal', aantal, BULK_STATUS_PAGE, 1, BULK_STATUS_PAGE) };
}

function count(name: string, value: string | undefined, absent: number, min: number, max: number): number {
  if (value === undefined) return absent;
  const number = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    throw new Refusal(FOUTCODE.statusverzoekOngeldig, 'invalid', `${name} moet een geheel getal van ${min} tot en met ${max} zijn, niet ${JSON.stringify(value.slice(0, 20))}`);
  }
  return number;
}

function toStatusItem({ answer, status }: BulkItemState): BulkStatusItem {
  if (!status || !('kenmerk' in answer)) return answer;
  const definition = (STATUS_DEFINITIONS as Partial<Record<string, { omschrijving: string }>>)[status.statuscode as StatusCode];
  return {
    ...answer,
    status: {
      statuscode: status.statuscode,
      ...(definition ? { statusomschrijving: definition.omschrijving } : {}),
      tijdstempelStatus: status.at.toISOString(),
      eind: status.done,
    },
  };
}
