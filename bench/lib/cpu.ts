/**
 * How much CPU the rest of the machine used while a scenario ran: all busy time from /proc/stat minus the busy
 * time of the benchmark's own processes. On a shared machine (tests, type checks running beside the benchmark)
 * this says whether a run can be trusted. Linux only; elsewhere it reports null.
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

function processBusyTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; utime and stime are the 12th and 13th fields after it.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[11]) + Number(after[12]);
  } catch {
    return 0;
  }
}

export interface CpuShare {
  /** Share of the machine's CPU time (all cores) used by processes outside the benchmark, in percent. */
  readonly otherPct: number;
  /** The same for the benchmark's own processes (load generator, sandbox, servers). */
  readonly ownPct: number;
  /** CPU seconds (user + system) the server under test used. */
  readonly serverSeconds: number;
}

export interface CpuWatch {
  /** Null off Linux. */
  stop(): CpuShare | null;
}

export function watchCpu(serverPid: number, ownPids: readonly number[]): CpuWatch {
  if (process.platform !== 'linux') return { stop: () => null };
  const started = performance.now();
  const machine0 = machineBusyTicks();
  const own0 = ownPids.reduce((sum, pid) => sum + processBusyTicks(pid), 0);
  const server0 = processBusyTicks(serverPid);
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const capacity = seconds * TICKS_PER_SECOND * os.availableParallelism();
      const machine = machineBusyTicks() - machine0;
      const own = ownPids.reduce((sum, pid) => sum + processBusyTicks(pid), 0) - own0;
      const pct = (ticks: number) => Math.round((Math.max(0, ticks) / capacity) * 1000) / 10;
      const serverSeconds = (processBusyTicks(serverPid) - server0) / TICKS_PER_SECOND;
      return { otherPct: pct(machine - own), ownPct: pct(own), serverSeconds };
    },
  };
}
