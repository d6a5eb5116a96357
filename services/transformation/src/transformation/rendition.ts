import { parse } from 'node:path';

import type { MessageType } from '@poort/message-types';
import { transformations } from '@poort/transforms';

/** A converted rendition of a message's content, labelled for the recipients that ask for it. */
export interface Rendition {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly bestandsnaam: string;
}

/**
 * The rendition a message type configures for its content, or undefined when the type keeps the content as
 * submitted. The file name keeps the sender's name with the rendition's extension, within the koppelvlak's 80
 * characters.
 */
export function renditionOf(type: MessageType, content: Uint8Array, bestandsnaam: string): Rendition | undefined {
  if (type.transformation === 'none') return undefined;
  const result = transformations[type.transformation](content);
  const extension = `.${result.fileExtension}`;
  return { bytes: result.bytes, mimeType: result.mimeType, bestandsnaam: `${parse(bestandsnaam).name.slice(0, 80 - extension.length)}${extension}` };
}
