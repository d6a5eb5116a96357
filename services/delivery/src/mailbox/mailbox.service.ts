import { FOUTCODE, Refusal, type PayloadRef } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';
import type { PayloadStore } from '@poort/payload-store';
import type { UnitOfWork } from '@poort/pipeline';
import type { ClientIdentity } from '@poort/pki';
import type { RecipientEncryptionFormat } from '@poort/recipient-encryption';

import type { AttemptOutcome } from '../delivery/attempt-outcome.js';
import type { DeliveriesRepository } from '../delivery/deliveries.repository.js';
import { recordOutcomes } from '../delivery/record-outcomes.js';
import type { LargeContentNotices } from '../files/large-content.js';
import type { FetchedBestand, MailboxEncryption } from './mailbox-encryption.js';
import type { MailboxEntry, MailboxKey, MailboxQuery, MailboxRepository } from './mailbox.repository.js';

/**
 * What one call may take, whatever it asks for (the caller asks again for the rest: with a "new" call nothing
 * fetched comes back; with a window, from the last tijdstempelAangeleverd it received).
 */
export const MAILBOX_LIMITS = {
  /** Messages with their content per call (getBerichten and the like, REST /berichten). */
  berichten: 20,
  /** Bytes of content and attachments per call; one message is always answered, however large (≤ 20 MiB inline). */
  bytes: 32 * 1024 * 1024,
  /** Entries per list call (getBerichtenLijst and getNieuweBerichtenLijst, REST /lijst). */
  lijst: 1_000,
} as const;

export interface MailboxFilter {
  readonly berichtsoort?: string;
  readonly belanghebbende?: MailboxQuery['belanghebbende'];
  readonly kenmerk?: string;
  readonly vanaf?: Date;
  readonly tot?: Date;
  /** Only what the caller's certificate has not fetched before. */
  readonly nieuw: boolean;
}

export interface FetchedBericht {
  readonly entry: MailboxEntry;
  /** What berichtInhoud is, before any encryption: the content, or for a large one its Grote Berichten notice. */
  readonly inhoud: PayloadRef;
  readonly berichtInhoud: FetchedBestand;
  readonly berichtBijlagen: readonly FetchedBestand[];
}

/**
 * A pull recipient's mailbox: a caller sees exactly the mailboxes of its own certificate's OIN (a government
 * recipient's, or a business's mededelingen), and nothing else exists for it. Fetching a message with its content is
 * its delivery: the first fetch by any certificate of the OIN records it as delivered, with the 400 once every
 * recipient of the message has it (the worker's own recording, under the same locks). Lists do not fetch. A message
 * whose window ended unfetched is no longer there (MailboxSweeper ends it). A recipient that wants encryption gets
 * its files encrypted in the form of the protocol it fetches over, made before the fetch is recorded: a fetch that
 * answers nothing delivers nothing.
 */
export class MailboxService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly mailbox: MailboxRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
    private readonly encryption: MailboxEncryption,
    private readonly notices: LargeContentNotices,
  ) {}

  /**
   * getBerichten, getNieuweBerichten, getBerichtenKenmerk, getNieuweBerichtenKenmerk: the messages with their content,
   * encrypted (for a recipient that wants it) as `format` (xmlenc over WUS, jwe over REST).
   */
  async fetch(caller: ClientIdentity, filter: MailboxFilter, format: RecipientEncryptionFormat): Promise<FetchedBericht[]> {
    // A content too large to hand out inline is answered with its Grote Berichten notice (the file is fetched apart).
    const noticeOf = (entry: MailboxEntry) =>
      this.notices.isLarge(entry.payload) ? this.notices.noticeFor({ kenmerk: entry.kenmerk, payload: entry.payload, createdAt: entry.deliveryCreatedAt }) : undefined;
    const entries = withinByteBudget(await this.select(caller, filter, MAILBOX_LIMITS.berichten), (entry) => noticeOf(entry)?.ref ?? entry.payload);
    if (entries.length === 0) return [];
    const contents = await this.payloads.readAll(entries.flatMap((entry) => [...(noticeOf(entry) ? [] : [entry.payload]), ...entry.attachments]));
    const bestand = (entry: MailboxEntry, ref: PayloadRef, bytes = contents.get(ref.id)!) => this.encryption.bestand(entry.recipientId, ref, bytes, format);
    const answers = new Map(
      await Promise.all(
        entries.map(async (entry): Promise<[MailboxEntry, FetchedBericht]> => {
          const notice = noticeOf(entry);
          const berichtInhoud = await (notice ? bestand(entry, notice.ref, notice.bytes) : bestand(entry, entry.payload));
          return [entry, { entry, inhoud: notice?.ref ?? entry.payload, berichtInhoud, berichtBijlagen: await Promise.all(entry.attachments.map((ref) => bestand(entry, ref))) }];
        }),
      ),
    );
    const fetched = await this.unitOfWork.commit(async ({ tx, out }) => {
      // The deliveries of these messages are locked first, in the worker's order: the state read is the one recorded on.
      const rows = await this.deliveries.lockAll(tx, entries.map((entry) => entry.kenmerk));
      const now = Date.now();
      // What is still in the mailbox under the lock: not ended meanwhile by the sweeper (nor past its window, which the
      // sweeper is about to end). A fetch and an expiry at the same moment come to one outcome.
      const rowOf = (entry: MailboxEntry) => rows.find((row) => row.kenmerk === entry.kenmerk && row.recipientId === entry.recipientId);
      const live = entries.filter((entry) => {
        const row = rowOf(entry);
        return row?.state === 'delivered' || (row?.state === 'parked' && row.deadline.getTime() > now);
      });
      const keys: MailboxKey[] = live.map(({ kenmerk, recipientId }) => ({ kenmerk, recipientId }));
      await this.mailbox.recordFetched(tx, caller.fingerprintSha256, keys);
      const firstFetches = live.map((entry) => rowOf(entry)!).filter((row) => row.state === 'parked');
      const delivered: AttemptOutcome = { kind: 'delivered' };
      await recordOutcomes(tx, out, { deliveries: this.deliveries, catalog: this.catalog }, firstFetches, firstFetches.map(() => delivered));
      return live;
    });
    return fetched.map((entry) => answers.get(entry)!);
  }

  /** getBerichtenLijst, getNieuweBerichtenLijst: what there is, without content; nothing is fetched by listing it. */
  list(caller: ClientIdentity, filter: MailboxFilter): Promise<MailboxEntry[]> {
    return this.select(caller, filter, MAILBOX_LIMITS.lijst);
  }

  private async select(caller: ClientIdentity, filter: MailboxFilter, limit: number): Promise<MailboxEntry[]> {
    if (filter.vanaf && filter.tot && filter.vanaf.getTime() > filter.tot.getTime()) {
      throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'invalid', 'tijdstempelVanaf ligt na tijdstempelTot');
    }
    const query = {
      ownerOin: caller.oin,
      ...(filter.berichtsoort === undefined ? {} : { berichtsoort: filter.berichtsoort }),
      ...(filter.belanghebbende === undefined ? {} : { belanghebbende: filter.belanghebbende }),
      ...(filter.kenmerk === undefined ? {} : { kenmerk: filter.kenmerk }),
      ...(filter.vanaf === undefined ? {} : { vanaf: filter.vanaf }),
      ...(filter.tot === undefined ? {} : { tot: filter.tot }),
    };
    const entries = await this.mailbox.find({ ...query, ...(filter.nieuw ? { notFetchedBy: caller.fingerprintSha256 } : {}), limit });
    // Asked by kenmerk: a process that is not in the caller's mailbox is unknown (someone else's looks the same).
    if (filter.kenmerk !== undefined && entries.length === 0 && (!filter.nieuw || (await this.mailbox.find({ ownerOin: caller.oin, kenmerk: filter.kenmerk, limit: 1 })).length === 0)) {
      throw new Refusal(FOUTCODE.ophaalverzoekOngeldig, 'not-found', `geen bericht met kenmerk ${filter.kenmerk} voor ${caller.oin}`);
    }
    return entries;
  }
}

/** The first entries whose content (as answered) fits in one answer (at least one). */
function withinByteBudget(entries: readonly MailboxEntry[], answered: (entry: MailboxEntry) => PayloadRef): MailboxEntry[] {
  let bytes = 0;
  const taken: MailboxEntry[] = [];
  for (const entry of entries) {
    const size = answered(entry).size + entry.attachments.reduce((sum, attachment) => sum + attachment.size, 0);
    if (taken.length > 0 && bytes + size > MAILBOX_LIMITS.bytes) break;
    taken.push(entry);
    bytes += size;
  }
  return taken;
}
