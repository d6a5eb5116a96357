import { element, leaf, serializeXml } from '@poort/xml';

/** Digikoppeling Grote Berichten metadata (the "stuurbericht"): where a large file is, and how to check it. */
export const GB_NAMESPACE = 'http://www.logius.nl/digikoppeling/gb/2010/10';
export const GB_PROFILE = 'digikoppeling-gb-1.0';
/** The MIME type of the notice itself, as delivered in place of the content. */
export const GB_NOTICE_MIME_TYPE = 'application/xml';

export interface LargeFileReference {
  /** The kenmerk: what the file belongs to, for the recipient. */
  readonly contextId: string;
  readonly creationTime: Date;
  readonly expirationTime: Date;
  /** The file's own MIME type. */
  readonly contentType: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  /** Where the recipient fetches it (HTTP GET with Range, over two-way TLS). */
  readonly senderUrl: string;
}

/** The metadata document for one file, root digikoppeling-external-data-references (profile digikoppeling-gb-1.0). */
export function groteBerichtenNotice(file: LargeFileReference): string {
  const root = {
    name: 'gb:digikoppeling-external-data-references',
    attributes: [['profile', GB_PROFILE]] as const,
    children: [
      {
        name: 'gb:data-reference',
        attributes: [['contextId', file.contextId]] as const,
        children: [
          element('gb:lifetime', leaf('gb:creationTime', file.creationTime.toISOString()), leaf('gb:expirationTime', file.expirationTime.toISOString()))!,
          {
            name: 'gb:content',
            attributes: [['contentType', file.contentType]] as const,
            children: [leaf('gb:filename', file.filename)!, leaf('gb:checksum', file.sha256, { type: 'SHA256' })!, leaf('gb:size', String(file.size))!],
          },
          element('gb:transport', element('gb:location', leaf('gb:senderUrl', file.senderUrl)))!,
        ],
      },
    ],
  };
  return serializeXml(root, { gb: GB_NAMESPACE });
}

/**
 * A filename as Grote Berichten allows it (at most 200 of letters, digits, `.`, `_` and `-`), unique per sender and
 * recipient by the kenmerk in front: the stored name with every other character made `_`, its extension kept.
 */
export function groteBerichtenFilename(kenmerk: string, bestandsnaam: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');
  const name = `${safe(kenmerk)}_${safe(bestandsnaam) || 'inhoud'}`;
  if (name.length <= 200) return name;
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
  return name.slice(0, 200 - extension.length) + extension;
}
