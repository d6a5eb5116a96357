import type { CpuReport } from './cpu-sampler.js';

// Formatting of the results: plain text tables for people, the same figures as one JSON line for scripts.

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!));
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function formatPercentiles(p: Percentiles): string {
  return `${p.p50} / ${p.p95} / ${p.p99} ms  (max ${p.max})`;
}

/** label  value, the labels padded to one width, between two rules. */
export function formatTable(title: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const rule = '-'.repeat(width + 40);
  return [`${title}\n${rule}`, ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`), rule].join('\n');
}

export interface CpuSummary {
  readonly rows: readonly {
    readonly process: string;
    readonly cpuMs: number;
    readonly msPerMessage: number;
    readonly share: number;
    /** CPU ms per wall second with no messages flowing (--idle), if measured. */
    readonly idleMsPerSec?: number;
  }[];
  readonly attributedMs: number;
  readonly msPerMessage: number;
  /** Attributed CPU ÷ (cores × wall): how busy the chain kept the machine. */
  readonly utilisation: number;
  /** Busy CPU outside the attributed processes (kernel threads, anything else running) ÷ (cores × wall). */
  readonly otherShareOfCapacity: number;
  readonly wallMs: number;
  /** Σ idle CPU ms per wall second and how long the idle sample was, if measured. */
  readonly idle?: { readonly msPerSec: number; readonly wallMs: number };
}

/** Shares are of the attributed total; per message is per message that reached status 400. */
export function summarizeCpu(report: CpuReport, messages: number, idle?: CpuReport): CpuSummary {
  const capacity = report.cores * report.wallMs;
  const idlePerSec = (process: string) => {
    const row = idle?.rows.find((candidate) => candidate.process === process);
    return row && idle ? { idleMsPerSec: round((row.cpuMs / idle.wallMs) * 1000) } : {};
  };
  const rows = [...report.rows]
    // Largest first; a process that could not be read (NaN) last.
    .sort((a, b) => (Number.isNaN(a.cpuMs) ? 1 : Number.isNaN(b.cpuMs) ? -1 : b.cpuMs - a.cpuMs))
    .map((row) => ({
      process: row.process,
      cpuMs: round(row.cpuMs),
      msPerMessage: round2(row.cpuMs / messages),
      share: round((row.cpuMs / report.attributedMs) * 100),
      ...idlePerSec(row.process),
    }));
  return {
    rows,
    attributedMs: round(report.attributedMs),
    msPerMessage: round2(report.attributedMs / messages),
    utilisation: round((report.attributedMs / capacity) * 100),
    otherShareOfCapacity: round((Math.max(0, report.machineBusyMs - report.attributedMs) / capacity) * 100),
    wallMs: round(report.wallMs),
    ...(idle ? { idle: { msPerSec: round((idle.attributedMs / idle.wallMs) * 1000), wallMs: round(idle.wallMs) } } : {}),
  };
}

export function formatCpu(summary: CpuSummary, cores: number): string {
  const idle = summary.idle;
  const header = ['process', 'CPU ms total', 'CPU ms per message', 'share', ...(idle ? ['idle CPU ms/s'] : [])];
  const body = summary.rows.map((row) => [
    row.process,
    fixed(row.cpuMs, 0),
    fixed(row.msPerMessage, 2),
    `${fixed(row.share, 1)} %`,
    ...(idle ? [fixed(row.idleMsPerSec ?? NaN, 1)] : []),
  ]);
  const total = ['total', fixed(summary.attributedMs, 0), fixed(summary.msPerMessage, 2), '100 %', ...(idle ? [fixed(idle.msPerSec, 1)] : [])];
  const widths = header.map((_, column) => Math.max(...[header, ...body, total].map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
  return [
    `CPU over the measured window (${summary.wallMs} ms wall, first submit → last status 400)`,
    line(header),
    rule,
    ...body.map(line),
    rule,
    line(total),
    ...(idle ? [`idle CPU ms/s: the same processes with no messages flowing, sampled for ${idle.wallMs} ms after the chain was up (background work: polling, heartbeats)`] : []),
    `machine utilisation: ${summary.utilisation} % = attributed CPU ÷ (${cores} cores × wall time)`,
    `idle check: ${summary.otherShareOfCapacity} % of capacity was busy outside these processes (kernel threads, other work)` +
      (summary.otherShareOfCapacity > 5 ? '  !!! NOT IDLE: other work ran; these figures are disturbed' : '  (ok below 5 %)'),
  ].join('\n');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function fixed(value: number, digits: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}
