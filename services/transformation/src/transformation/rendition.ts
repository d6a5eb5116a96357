import { parse } from 'node:path';

import { renditionsNeeded, type MessageType, type RenditionName } from '@poort/message-types';
import { transformations } from '@poort/transforms';

/** A converted rendition of a message's content, labelled for the recipients that ask for it. */
export interface Rendition {
  readonly name: RenditionName;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly bestandsnaam: string;
}

/**
 * The renditions of a message's content that its recipients ask for: the type's own transformation and each one a
 * route applying to the message (by its identiteitOntvanger) names; none when the type keeps the content as
 * submitted. A file name keeps the sender's name with the rendition's extension, within the koppelvlak's 80
 * characters.
 */
export function renditionsOf(type: MessageType, ontvanger: string | undefined, content: Uint8Array, bestandsnaam: string): Rendition[] {
  return renditionsNeeded(type, ontvanger).map((name) => {
    const result = transformations[name](content);
    const extension = `.${result.fileExtension}`;
    return { name, bytes: result.bytes, mimeType: result.mimeType, bestandsnaam: `${parse(bestandsnaam).name.slice(0, 80 - extension.length)}${extension}` };
  });
}
