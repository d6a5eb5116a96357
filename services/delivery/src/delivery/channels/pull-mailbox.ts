import type { MailboxRepository } from '../../mailbox/mailbox.repository.js';
import type { AttemptOutcome } from '../attempt-outcome.js';
import type { DeliveryAttempt, DeliveryChannel } from './delivery-channel.js';

/**
 * Pull: the message is parked in the mailbox of the recipient's OIN, by reference to its stored content (the
 * content itself is not read). It is delivered (400) when a certificate of that OIN fetches it through the
 * OphaalService or the REST mailbox.
 */
export class PullMailboxChannel implements DeliveryChannel {
  readonly name = 'pull';
  readonly parksByReference = true;

  constructor(private readonly mailbox: MailboxRepository) {}

  async deliver({ recipient, envelope, payload, content }: DeliveryAttempt): Promise<AttemptOutcome> {
    if (!Buffer.isBuffer(content)) content.destroy();
    try {
      await this.mailbox.park({
        kenmerk: envelope.kenmerk,
        recipientId: recipient.id,
        ownerOin: recipient.oin,
        envelope,
        payload,
        attachments: recipient.attachments ? envelope.attachments : [],
      });
      return { kind: 'parked' };
    } catch (error) {
      return { kind: 'failed', detail: `parking in the mailbox of ${recipient.id} failed: ${(error as Error).message}` };
    }
  }
}
