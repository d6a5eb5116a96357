import type { DeliveryAttempt } from '../src/delivery/channels/delivery-channel.js';

/** An attempt of a message without attachments whose content is in hand: nothing else is read from the store. */
export const NO_STORED_FILES: Pick<DeliveryAttempt, 'attachments' | 'read'> = {
  attachments: [],
  read: () => Promise.reject(new Error('this test stores no files')),
};
