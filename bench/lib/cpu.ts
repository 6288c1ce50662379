/**
 * CPU time from Linux /proc: per process (user + system of the target, the sandbox, PostgreSQL's backends, the
 * load generator) and for the whole machine, so that a window's figures say both what each process spent and
 * how much of the machine something outside the bench used (a busy machine makes req/s untrustworthy; CPU per
 * request much less so). Elsewhere than Linux the meter reports null.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Linux reports both in USER_HZ, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** utime + stime of a process, or undefined once it is gone. */
function processBusyTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; utime and stime are the 12th and 13th fields after it.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[11]) + Number(after[12]);
  } catch {
    return undefined;
  }
}

export type PidGroups = Record<string, readonly number[]>;

export interface CpuReading {
  readonly seconds: number;
  /** CPU seconds (user + system) per group of processes. */
  readonly groupSeconds: Record<string, number>;
  /** Share of the machine's CPU time (all cores) used by processes in no group, in percent. */
  readonly otherPct: number;
}

export interface CpuMeter {
  /**
   * Ends the window. `laterPids` adds processes that started during it (new PostgreSQL backends): all their time
   * counts. A process that ended during the window loses its time (its last ticks are no longer readable).
   */
  stop(laterPids?: PidGroups): CpuReading | null;
}

export function startCpuMeter(groups: PidGroups): CpuMeter {
  if (process.platform !== 'linux') return { stop: () => null };
  const started = performance.now();
  const machine0 = machineBusyTicks();
  const at0 = new Map<number, number>();
  for (const pids of Object.values(groups)) for (const pid of pids) at0.set(pid, processBusyTicks(pid) ?? 0);
  return {
    stop(laterPids = {}) {
      const seconds = (performance.now() - started) / 1000;
      const capacity = seconds * TICKS_PER_SECOND * os.availableParallelism();
      const machine = machineBusyTicks() - machine0;
      const groupSeconds: Record<string, number> = {};
      let ownTicks = 0;
      const seen = new Set<number>();
      for (const [name, pids] of Object.entries(groups)) {
        let ticks = 0;
        for (const pid of new Set([...pids, ...(laterPids[name] ?? [])])) {
          if (seen.has(pid)) continue;
          seen.add(pid);
          const now = processBusyTicks(pid);
          if (now !== undefined) ticks += Math.max(0, now - (at0.get(pid) ?? 0));
        }
        ownTicks += ticks;
        groupSeconds[name] = ticks / TICKS_PER_SECOND;
      }
      const otherPct = Math.round((Math.max(0, machine - ownTicks) / capacity) * 1000) / 10;
      return { seconds, groupSeconds, otherPct };
    },
  };
}
