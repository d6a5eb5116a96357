import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { deriveAanleverkenmerk } from './aanleverkenmerk.js';
import type { SubmissionItem } from './transports/transport.js';

/** A file's SHA-256 (hex), read as a stream: a large file is never held in memory for it. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The journal's name of a file: relative to the journal's folder, with forward slashes on every platform. */
export const journalPath = (journalDir: string, absolutePath: string) => relative(journalDir, absolutePath).split(sep).join('/');

/** The files as submission items of run `run`: sized, hashed, with their aanleverkenmerk. */
export async function toItems(files: readonly string[], journalDir: string, run: string, concurrency = 8): Promise<SubmissionItem[]> {
  const items: SubmissionItem[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const absolutePath = files[index]!;
      const [info, sha256] = await Promise.all([stat(absolutePath), sha256OfFile(absolutePath)]);
      const path = journalPath(journalDir, absolutePath);
      items[index] = { path, absolutePath, size: info.size, sha256, aanleverkenmerk: deriveAanleverkenmerk(run, path, sha256) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return items;
}
