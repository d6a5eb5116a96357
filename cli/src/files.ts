import { glob, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { usageError } from './cli-error.js';

/**
 * The files that `poort submit` arguments name, each once, sorted: a file as it is; a folder with every file below it
 * (hidden files and folders skipped: the journal is one); anything else a glob pattern (`invoices/**\/*.xml`).
 * An argument that names nothing is a usage error, not a silently smaller run.
 */
export async function expandInputs(inputs: readonly string[], cwd: string, exclude: ReadonlySet<string> = new Set()): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    const info = await stat(absolute).catch(() => undefined);
    let matches: string[];
    if (info?.isFile()) matches = [absolute];
    else if (info?.isDirectory()) matches = await filesBelow(absolute);
    else matches = await globFiles(input, cwd);
    if (matches.length === 0) throw usageError('USAGE_NO_FILES', `${input}: no such file or folder, and no files match it as a pattern`);
    for (const match of matches) if (!exclude.has(match)) found.add(match);
  }
  return [...found].sort();
}

async function filesBelow(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesBelow(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

async function globFiles(pattern: string, cwd: string): Promise<string[]> {
  const files: string[] = [];
  for await (const match of glob(pattern, { cwd, exclude: (name) => basename(String(name)).startsWith('.') })) {
    const path = resolve(cwd, match);
    if ((await stat(path).catch(() => undefined))?.isFile()) files.push(path);
  }
  return files;
}
