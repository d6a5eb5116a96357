import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// CPU time of each process of the chain over the measured window: read once at the start and once at the end, the
// difference is what the window cost. utime + stime come from /proc/<pid>/stat in clock ticks.
//
// Postgres is a postmaster with backends that come and go (one per pool connection, autovacuum workers, …). Its
// figure is exact without sampling: a child that exits is reaped by the postmaster, and the kernel then adds the
// child's whole CPU time to the postmaster's cutime/cstime. So
//   postmaster (utime + stime + cutime + cstime) + Σ live children (utime + stime + cutime + cstime)
// only ever grows, and its difference between start and end counts every backend: one that lived through the
// window, one that started or ended in it, and one that did both.

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux almost always). */
const TICKS_PER_SECOND = clockTicks();

/** Where a process's CPU figure comes from. */
export type CpuSource =
  | { readonly kind: 'pid'; readonly pid: number }
  /** The postmaster and all its children (see above). */
  | { readonly kind: 'postgres'; readonly postmasterPid: number }
  /** This process: the load generator and the in-process test recipients. */
  | { readonly kind: 'self' };

export interface CpuRow {
  readonly process: string;
  /** CPU ms used in the window; NaN when the process could not be read at the start or the end. */
  readonly cpuMs: number;
}

export interface CpuReport {
  readonly rows: readonly CpuRow[];
  /** Σ rows: the CPU the chain, Kafka, Postgres and the load generator used. */
  readonly attributedMs: number;
  /** All busy CPU time of the machine (/proc/stat: user, nice, system, irq, softirq) in the window. */
  readonly machineBusyMs: number;
  readonly wallMs: number;
  readonly cores: number;
}

type Snapshot = Map<string, number>;

export class CpuSampler {
  private start: { readonly cpu: Snapshot; readonly machine: number; readonly at: number } | undefined;

  /** @param sources process label → where its CPU time is read */
  constructor(
    private readonly sources: ReadonlyMap<string, CpuSource>,
    private readonly cores: number,
  ) {}

  begin(): void {
    this.start = { cpu: this.snapshot(), machine: machineBusyMs(), at: performance.now() };
  }

  end(): CpuReport {
    if (!this.start) throw new Error('CpuSampler.end() before begin()');
    const cpu = this.snapshot();
    const machineBusy = machineBusyMs() - this.start.machine;
    const wallMs = performance.now() - this.start.at;
    const rows = [...this.sources.keys()].map((process) => ({ process, cpuMs: (cpu.get(process) ?? NaN) - (this.start!.cpu.get(process) ?? NaN) }));
    const attributedMs = rows.reduce((sum, row) => sum + (Number.isNaN(row.cpuMs) ? 0 : row.cpuMs), 0);
    return { rows, attributedMs, machineBusyMs: machineBusy, wallMs, cores: this.cores };
  }

  private snapshot(): Snapshot {
    const snapshot: Snapshot = new Map();
    // One pass over /proc serves every Postgres source: only needed when there is one.
    const needsProcessList = [...this.sources.values()].some((source) => source.kind === 'postgres');
    const processes = needsProcessList ? allProcessTimes() : undefined;
    for (const [label, source] of this.sources) {
      const ms = readSource(source, processes);
      if (ms !== undefined) snapshot.set(label, ms);
    }
    return snapshot;
  }
}

/** CPU ms of one source now (cumulative since the process started); undefined when it cannot be read. */
function readSource(source: CpuSource, processes: ReadonlyMap<number, ProcessTimes> | undefined): number | undefined {
  switch (source.kind) {
    case 'self': {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
    case 'pid': {
      const times = processTimes(source.pid);
      return times && ticksToMs(times.utime + times.stime);
    }
    case 'postgres': {
      const postmaster = processes?.get(source.postmasterPid);
      if (!postmaster) return undefined;
      let ticks = postmaster.utime + postmaster.stime + postmaster.cutime + postmaster.cstime;
      for (const child of processes!.values()) {
        if (child.ppid === source.postmasterPid) ticks += child.utime + child.stime + child.cutime + child.cstime;
      }
      return ticksToMs(ticks);
    }
  }
}

interface ProcessTimes {
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  /** CPU of the children this process has reaped. */
  readonly cutime: number;
  readonly cstime: number;
}

function processTimes(pid: number): ProcessTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // Field 2 (comm) is in parentheses and may hold spaces or ')': the fields that follow start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  const field = (n: number) => Number(fields[n - 3]);
  return { ppid: field(4), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
}

function allProcessTimes(): Map<number, ProcessTimes> {
  const result = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = processTimes(Number(entry));
    if (times) result.set(Number(entry), times);
  }
  return result;
}

/** Busy CPU ms of the whole machine since boot: the first line of /proc/stat, less idle, iowait and steal. */
function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is already inside user).
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return ticksToMs(user! + nice! + system! + irq! + softirq!);
}

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // no getconf: Linux's USER_HZ is 100
  }
  return 100;
}

/** The postmaster's pid: the first line of <data dir>/postmaster.pid. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n', 1)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This checkout's Kafka broker: the pid file of scripts/infra/kafka.sh if it still names the JVM running our
 * server.properties, else that JVM found by its command line.
 */
export function kafkaBrokerPid(stateDir: string): number | undefined {
  const config = `${stateDir}/server.properties`;
  const isOurBroker = (pid: number) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmdline.includes('kafka.Kafka') && cmdline.includes(config);
    } catch {
      return false;
    }
  };
  try {
    const pid = Number(readFileSync(`${stateDir}/kafka.pid`, 'utf8').trim());
    if (isOurBroker(pid)) return pid;
  } catch {
    // no pid file: scan
  }
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).find(isOurBroker);
}
