import { readFileSync } from "node:fs";

/** Linux's clock ticks per second for /proc times (`getconf CLK_TCK`), 100 on every common kernel. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) this process has used, in milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time (user + system, all threads) another process has used, in milliseconds, from /proc (10 ms
 * resolution); NaN where there is no /proc.
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesized command name, which may itself hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
