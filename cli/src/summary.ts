import type { ProcessOutcome } from './process-outcome.js';

/** One process as `follow` and `status` report it: its kenmerk, the file it came from when known, and its outcome. */
export interface FollowedProcess {
  readonly kenmerk: string;
  readonly path?: string;
  readonly outcome: ProcessOutcome;
}

export interface Summary {
  /** Per ending statuscode: how many, and its description; sorted by code. */
  readonly perStatus: readonly { readonly statuscode: string; readonly omschrijving: string; readonly count: number; readonly failed: boolean }[];
  readonly failures: readonly FollowedProcess[];
  readonly pending: readonly FollowedProcess[];
  readonly total: number;
}

export function summarize(processes: readonly FollowedProcess[]): Summary {
  const perStatus = new Map<string, { statuscode: string; omschrijving: string; count: number; failed: boolean }>();
  const failures: FollowedProcess[] = [];
  const pending: FollowedProcess[] = [];
  for (const process of processes) {
    if (process.outcome.kind === 'pending') {
      pending.push(process);
      continue;
    }
    const { status, failed } = process.outcome;
    const row = perStatus.get(status.statuscode) ?? { statuscode: status.statuscode, omschrijving: status.statusomschrijving, count: 0, failed };
    row.count += 1;
    perStatus.set(status.statuscode, row);
    if (failed) failures.push(process);
  }
  return { perStatus: [...perStatus.values()].sort((a, b) => a.statuscode.localeCompare(b.statuscode)), failures, pending, total: processes.length };
}

/** The summary as a table for the terminal. */
export function renderSummary(summary: Summary): string {
  const lines: string[] = [];
  const ended = summary.total - summary.pending.length;
  lines.push(`${ended} of ${summary.total} processes ended${summary.pending.length > 0 ? `, ${summary.pending.length} still going` : ''}`);
  lines.push('');
  lines.push(table(['status', 'omschrijving', 'aantal'], summary.perStatus.map((row) => [row.statuscode, row.omschrijving, String(row.count)]), [false, false, true]));
  if (summary.failures.length > 0) {
    lines.push('');
    lines.push(`Failures (${summary.failures.length}):`);
    lines.push(
      table(
        ['kenmerk', 'file', 'status', 'foutcode', 'foutbeschrijving'],
        summary.failures.map((process) => {
          const status = process.outcome.kind === 'ended' ? process.outcome.status : undefined;
          return [process.kenmerk, process.path ?? '', status?.statuscode ?? '', status?.statusFoutcode?.foutcode ?? '', oneLine(status?.statusFoutcode?.foutbeschrijving ?? status?.statusdetails ?? '', 100)];
        }),
      ),
    );
  }
  if (summary.pending.length > 0) {
    lines.push('');
    lines.push(`Still going (${summary.pending.length}):`);
    lines.push(
      table(
        ['kenmerk', 'file', 'latest status'],
        summary.pending.slice(0, 50).map((process) => [process.kenmerk, process.path ?? '', process.outcome.kind === 'pending' ? (process.outcome.latest?.statuscode ?? '(none yet)') : '']),
      ),
    );
    if (summary.pending.length > 50) lines.push(`… and ${summary.pending.length - 50} more`);
  }
  return lines.join('\n');
}

/** A plain text table: a header, a rule, the rows; numeric columns right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[] = []): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join('\n');
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};
