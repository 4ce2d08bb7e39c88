import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time from Linux's /proc, for benches on a shared machine: where wall time depends on
 * what else runs, the CPU a run consumed mostly does not.
 */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/**
 * CPU ms of a process and of every descendant it has waited for (utime + stime + cutime +
 * cstime of /proc/<pid>/stat); 0 when the process is gone. `self` is this process.
 */
export function processCpuMs(pid: number | 'self'): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of the man page are utime, stime, cutime, cstime: here 11–14 (from field 3).
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks / clockTicks()) * 1000;
}

/** Busy and total CPU time of the whole machine so far (all cores), ms; subtract two readings. */
export function machineCpuMs(): { busyMs: number; totalMs: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  const scale = 1000 / clockTicks();
  return { busyMs: busy * scale, totalMs: (busy + idle! + iowait!) * scale };
}
