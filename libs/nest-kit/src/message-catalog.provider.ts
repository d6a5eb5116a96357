import type { Provider } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';

/**
 * The message-type catalog of a service, loaded while Nest builds the module: a bad file then fails start-up
 * through runService, which logs what is wrong and exits, instead of throwing before logging exists.
 */
export function messageCatalogProvider(dir: string): Provider {
  return { provide: MessageCatalog, useFactory: () => MessageCatalog.load(dir) };
}
