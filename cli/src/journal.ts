import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/** One acknowledged file: Poort holds it as the message `kenmerk`. */
export interface JournalEntry {
  /** The file's path as the run names it (relative to the journal's folder). */
  readonly path: string;
  readonly sha256: string;
  readonly aanleverkenmerk: string;
  readonly kenmerk: string;
  /** When the receipt came (ISO 8601). */
  readonly at: string;
}

/**
 * The journal of acknowledged submissions: an append-only NDJSON file, one line per receipt, written as soon as the
 * receipt arrives. A run that is interrupted (Ctrl-C, kill, a crash) leaves every acknowledged file in it; the next run
 * skips them. A line torn by a kill mid-write is ignored on reading: its file is submitted again, and its
 * aanleverkenmerk makes that a resubmission Poort answers with the same receipt.
 */
export class Journal {
  private readonly byAanleverkenmerk = new Map<string, JournalEntry>();
  private fd: number | undefined;
  /** The file ends in a torn line: the next entry starts on a line of its own. */
  private torn = false;

  private constructor(readonly file: string) {}

  static open(file: string): Journal {
    const journal = new Journal(file);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      for (const entry of parseJournal(text)) journal.byAanleverkenmerk.set(entry.aanleverkenmerk, entry);
      journal.torn = text.length > 0 && !text.endsWith('\n');
    }
    return journal;
  }

  get entries(): JournalEntry[] {
    return [...this.byAanleverkenmerk.values()];
  }

  acknowledged(aanleverkenmerk: string): JournalEntry | undefined {
    return this.byAanleverkenmerk.get(aanleverkenmerk);
  }

  /** Records a receipt; on disk (in the kernel's hands) when this returns, so a killed process keeps it. */
  record(entry: JournalEntry): void {
    if (this.byAanleverkenmerk.has(entry.aanleverkenmerk)) return;
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${this.torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
    this.torn = false;
    this.byAanleverkenmerk.set(entry.aanleverkenmerk, entry);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The entries of a journal's text; lines that are not whole entries (a torn last line) are skipped. */
export function parseJournal(text: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isEntry(value)) entries.push(value);
  }
  return entries;
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return ['path', 'sha256', 'aanleverkenmerk', 'kenmerk', 'at'].every((field) => typeof entry[field] === 'string' && entry[field] !== '');
}
