import { clientIdentityEnv, durationMs, loadConfigOrExit, platformEnv, wusEnv } from '@poort/config';
import { z } from 'zod';

export const NotificationEnv = z.object({
  ...platformEnv,
  ...clientIdentityEnv,
  ...wusEnv,
  /** How often the sweeper looks for messages without progress. */
  SWEEP_INTERVAL_MS: durationMs.default(60_000),
  /** A message whose last status is older than this, before delivery, is reported as stuck. */
  STUCK_AFTER_MS: durationMs.default(3_600_000),
  /** The same in delivery (405, 420), where retries go on without new statuses for up to the retry window (72 h). */
  STUCK_IN_DELIVERY_AFTER_MS: durationMs.default(73 * 3_600_000),
});
export type NotificationConfig = z.infer<typeof NotificationEnv>;

export const loadNotificationConfig = (): NotificationConfig => loadConfigOrExit('notification', NotificationEnv);
