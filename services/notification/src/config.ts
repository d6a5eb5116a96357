import { clientIdentityEnv, loadConfigOrExit, platformEnv, wusEnv } from '@poort/config';
import { z } from 'zod';

export const NotificationEnv = z.object({ ...platformEnv, ...clientIdentityEnv, ...wusEnv });
export type NotificationConfig = z.infer<typeof NotificationEnv>;

export const loadNotificationConfig = (): NotificationConfig => loadConfigOrExit('notification', NotificationEnv);
