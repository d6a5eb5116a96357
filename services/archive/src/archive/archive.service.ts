import { Refusal, plainTextProblem, type Envelope, type PayloadRef } from '@poort/contracts';
import { Operators } from '@poort/nest-edge';
import type { ClientIdentity } from '@poort/pki';

import { ArchiveRepository, type ArchivedEnvelope, type ArchivedMessage } from './archive.repository.js';

/**
 * Who may read what in the archive: an operator of the platform (OPERATOR_OINS) every message, anyone else only the
 * messages it sent itself (the envelope's sender OIN). Someone else's message and one that does not exist are
 * refused alike (ARCHIVE_NOT_FOUND), so that nothing tells a caller which kenmerken exist.
 */
export class ArchiveQueries {
  constructor(
    private readonly archive: ArchiveRepository,
    private readonly operators: Operators,
  ) {}

  /** The message's envelope and its full history. */
  async message(caller: ClientIdentity, kenmerk: string): Promise<ArchivedMessage> {
    const message = await this.readable(caller, kenmerk);
    return { ...message, statuses: await this.archive.statusesOf(kenmerk) };
  }

  /** Where the message's content is (the claim check), for streaming it. */
  async content(caller: ClientIdentity, kenmerk: string): Promise<PayloadRef> {
    return (await this.readable(caller, kenmerk)).envelope.content;
  }

  /** The archived envelope, when the caller may read it; the history is read only then. */
  private async readable(caller: ClientIdentity, kenmerk: string): Promise<ArchivedEnvelope> {
    checkKenmerk(kenmerk);
    const message = await this.archive.envelopeOf(kenmerk);
    if (!message || !this.mayRead(caller, message.envelope)) throw notArchived(kenmerk);
    return message;
  }

  private mayRead(caller: ClientIdentity, envelope: Envelope): boolean {
    return this.operators.includes(caller) || envelope.sender.oin === caller.oin;
  }
}

/** A kenmerk Postgres can compare; anything else is refused before a query runs. */
function checkKenmerk(kenmerk: string): void {
  const problem = kenmerk.length > 40 ? 'is longer than 40 characters' : plainTextProblem(kenmerk) && `contains a ${plainTextProblem(kenmerk)}`;
  if (problem) throw new Refusal('ARCHIVE_KENMERK_INVALID', 'invalid', `the kenmerk ${problem}`);
}

function notArchived(kenmerk: string): Refusal {
  return new Refusal('ARCHIVE_NOT_FOUND', 'not-found', `no archived message with kenmerk ${kenmerk}`);
}
