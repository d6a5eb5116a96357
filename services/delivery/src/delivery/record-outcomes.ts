import { TOPICS, messageReference, type Foutmelding } from '@poort/contracts';
import type { Queryable } from '@poort/message-state';
import type { MessageCatalog } from '@poort/message-types';
import type { Emissions } from '@poort/pipeline';

import { decideAttempt } from './attempt-decision.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import type { DeliveriesRepository, DeliveryRow } from './deliveries.repository.js';

/**
 * Outcomes of deliveries with their statuses, inside the caller's transaction: the worker's attempts, and a pull
 * recipient's fetch (its delivery). The deliveries of their messages are locked first, so that a message's 400 comes
 * exactly once, when its last recipient has it, even when two recipients of one message are recorded at once, by two
 * workers, or by a worker and a fetch.
 */
export async function recordOutcomes(
  tx: Queryable,
  out: Emissions,
  repositories: { readonly deliveries: DeliveriesRepository; readonly catalog: MessageCatalog },
  due: readonly DeliveryRow[],
  outcomes: readonly AttemptOutcome[],
): Promise<void> {
  const { deliveries, catalog } = repositories;
  const delivered = await deliveries.lockDelivered(
    tx,
    due.filter((_, index) => outcomes[index]!.kind === 'delivered').map((delivery) => delivery.kenmerk),
  );
  const now = new Date();
  const updates = due.map((delivery, index) => {
    const { envelope, recipientId } = delivery;
    const outcome = outcomes[index]!;
    const others = delivered.get(delivery.kenmerk) ?? new Set<string>();
    const decision = decideAttempt(outcome, {
      recipientId,
      recipientCount: delivery.recipientCount,
      attemptsBefore: delivery.attempts,
      deadline: delivery.deadline,
      now,
      deliveredToOthers: [...others].filter((other) => other !== recipientId).length,
      backoff: catalog.find(envelope.berichtsoort)?.delivery,
    });
    if (decision.update.state === 'delivered') delivered.set(delivery.kenmerk, others.add(recipientId));
    for (const status of decision.statuses) out.status(envelope, status);
    if (decision.returnToSender) returnToSender(out, delivery, decision.returnToSender);
    return { kenmerk: delivery.kenmerk, recipientId, update: decision.update };
  });
  await deliveries.record(tx, updates);
}

function returnToSender(out: Emissions, delivery: DeliveryRow, reden: Foutmelding): void {
  out.emit(TOPICS.returnedToSender, { ...messageReference(delivery.envelope), recipientId: delivery.recipientId, reden });
}
