import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A file written for a test, with what a sender announces of it. */
export interface LargeFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

const XBRLI = 'http://www.xbrl.org/2003/instance';

/**
 * An XBRL instance of exactly `size` bytes (at least a few hundred), written to disk as a stream: contexts, one after
 * the other, numbered, then a comment to pad to the size. Its SHA-256 is computed as it is written, so neither the
 * test nor the file's maker ever holds it whole.
 */
export async function writeLargeXbrl(path: string, size: number): Promise<LargeFile> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let written = 0;
  const write = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(bytes);
    written += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  };
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<xbrli:xbrl xmlns:xbrli="${XBRLI}">\n`;
  const tail = '</xbrli:xbrl>\n';
  const padOpen = '<!--';
  const padClose = '-->\n';
  await write(head);
  const room = () => size - written - tail.length - padOpen.length - padClose.length;
  let batch: string[] = [];
  let pending = 0;
  for (let index = 0; ; index++) {
    const context =
      `<xbrli:context id="c${index}"><xbrli:entity><xbrli:identifier scheme="http://www.belastingdienst.nl/omzetbelastingnummer">` +
      `${String(index).padStart(12, '0')}B01</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:instant>2026-12-31</xbrli:instant></xbrli:period></xbrli:context>\n`;
    if (room() - pending < context.length) break;
    batch.push(context);
    pending += context.length;
    if (batch.length === 512) {
      await write(batch.join(''));
      batch = [];
      pending = 0;
    }
  }
  if (batch.length > 0) await write(batch.join(''));
  await write(`${padOpen}${'x'.repeat(room())}${padClose}`);
  await write(tail);
  out.end();
  await once(out, 'close');
  if (written !== size) throw new Error(`wrote ${written} bytes, not ${size}`);
  return { path, size, sha256: hash.digest('hex') };
}
