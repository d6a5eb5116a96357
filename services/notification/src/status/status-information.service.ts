import { FOUTCODE, PLAIN_TEXT_PROBLEM_NL, Refusal, isPlausibleMoment, plainTextProblem, type StatusResultaat } from '@poort/contracts';
import { withTransaction, type Pool, type Queryable } from '@poort/message-state';
import type { ClientIdentity } from '@poort/pki';

import type { RetourAfzender, ReturnedMessagesRepository } from '../returned/returned-messages.repository.js';
import type { ProcesRecord, ProcessFilter, StatusHistoryRepository, TimeWindow } from './status-history.repository.js';

/** Who asks: a sender sees only what it submitted (its OIN); "new" is counted per certificate (its fingerprint). */
export type StatusCaller = Pick<ClientIdentity, 'oin' | 'fingerprintSha256'>;

/**
 * Digipoort's statusinformatieservice as one use case, whichever channel asks (REST or WUS). A process that does not
 * exist and someone else's process look the same: Refusal STS100, kind not-found; nothing leaks.
 */
export class StatusInformationService {
  constructor(
    private readonly pool: Pool,
    private readonly history: StatusHistoryRepository,
    private readonly returned: ReturnedMessagesRepository,
  ) {}

  /** getStatussenProces: every status of one process, optionally within a time window. */
  async statussenProces(caller: StatusCaller, kenmerk: string, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    checkRequest(kenmerk, window);
    const statuses = await this.history.list(caller.oin, kenmerk, window);
    if (statuses.length === 0) await this.requireKnown(caller, kenmerk);
    return statuses;
  }

  /** getNieuweStatussenProces: the statuses of one process this certificate has not fetched before. */
  async nieuweStatussenProces(caller: StatusCaller, kenmerk: string, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    checkRequest(kenmerk, window);
    await this.requireKnown(caller, kenmerk);
    return withTransaction(this.pool, (tx) => this.takeNew(tx, caller, kenmerk, window));
  }

  /**
   * getNieuweStatussen: the new statuses of every process of one berichtsoort and belanghebbende that this sender
   * submitted, sharing the per-process cursors of getNieuweStatussenProces, in time order.
   */
  async nieuweStatussen(caller: StatusCaller, filter: ProcessFilter, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    checkRequest(undefined, window);
    const processen = await this.history.processen(caller.oin, filter);
    return withTransaction(this.pool, async (tx) => {
      const statuses: StatusResultaat[] = [];
      for (const proces of processen) statuses.push(...(await this.takeNew(tx, caller, proces.kenmerk, window)));
      return statuses.sort((a, b) => a.tijdstempelStatus.localeCompare(b.tijdstempelStatus));
    });
  }

  /** getProcessen */
  processen(caller: StatusCaller, filter: ProcessFilter): Promise<ProcesRecord[]> {
    return this.history.processen(caller.oin, filter);
  }

  /** getBerichtsoorten */
  berichtsoorten(caller: StatusCaller, belanghebbende: ProcessFilter['belanghebbende']): Promise<string[]> {
    return this.history.berichtsoorten(caller.oin, belanghebbende);
  }

  /** Retour afzender: this sender's messages that could not be delivered, with the reason. */
  retourAfzender(caller: StatusCaller, since?: Date): Promise<RetourAfzender[]> {
    checkRequest(undefined, since ? { vanaf: since } : {});
    return this.returned.forSender(caller.oin, since);
  }

  /**
   * Each status is "new" to a certificate exactly once: fetching moves the certificate's cursor in the same
   * transaction. A time window narrows what is returned, and the cursor then moves to the newest status returned,
   * so a new status before it that fell outside the window is no longer new (Logius advises windowed
   * getStatussenProces polling over getNieuweStatussen* for exactly this kind of reason).
   */
  private async takeNew(tx: Queryable, caller: StatusCaller, kenmerk: string, window: TimeWindow): Promise<StatusResultaat[]> {
    const lastSeq = await this.history.lockCursor(tx, caller.fingerprintSha256, kenmerk);
    const fresh = await this.history.statusesAfter(tx, caller.oin, kenmerk, lastSeq, window);
    if (fresh.length > 0) await this.history.moveCursor(tx, caller.fingerprintSha256, kenmerk, Math.max(...fresh.map((entry) => entry.seq)));
    return fresh.map((entry) => entry.status);
  }

  private async requireKnown(caller: StatusCaller, kenmerk: string): Promise<void> {
    if (!(await this.history.isKnownTo(caller.oin, kenmerk))) {
      throw new Refusal(FOUTCODE.statusverzoekOngeldig, 'not-found', `er is geen proces met kenmerk ${kenmerk} voor deze aanleveraar`);
    }
  }
}

const invalid = (message: string) => new Refusal(FOUTCODE.statusverzoekOngeldig, 'invalid', message);

/** What Postgres could not compare is refused here, with the koppelvlak's code, before any query runs. */
function checkRequest(kenmerk: string | undefined, window: TimeWindow): void {
  if (kenmerk !== undefined) {
    if (kenmerk.length > 40) throw invalid('het kenmerk is langer dan 40 tekens');
    const problem = plainTextProblem(kenmerk);
    if (problem) throw invalid(`het kenmerk ${PLAIN_TEXT_PROBLEM_NL[problem]}`);
  }
  for (const [name, moment] of [['tijdstempelVanaf', window.vanaf], ['tijdstempelTot', window.tot]] as const) {
    if (moment !== undefined && !isPlausibleMoment(moment)) throw invalid(`${name} ligt buiten de jaren 1 tot en met 9999`);
  }
}
