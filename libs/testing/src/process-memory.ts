import { readFileSync } from 'node:fs';

/**
 * A process's peak resident set size since it started (Linux's VmHWM), in bytes: what its memory limit in a pod
 * would have had to hold. Undefined when the process is gone.
 */
export function peakRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}
