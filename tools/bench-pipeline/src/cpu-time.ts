/**
 * CPU time of processes, read from /proc (Linux): for the benchmarks that
 * show where a 2-core machine's time goes when the servers share its cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of each live process of `pids` (a gone one is left out). */
export function cpuSeconds(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    out.set(pid, (utime + stime) / TICKS_PER_SECOND);
  }
  return out;
}

/** The process ids of the machine's Ceph daemons and Redis servers. */
export function serverPids(): { ceph: number[]; redis: number[] } {
  const ceph: number[] = [];
  const redis: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'radosgw' || comm.startsWith('ceph-')) ceph.push(Number(entry));
    else if (comm === 'redis-server') redis.push(Number(entry));
  }
  return { ceph, redis };
}
