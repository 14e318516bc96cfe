/**
 * Measurement helpers shared by the benchmark scripts (bench-transitions, bench-deadlines):
 * percentiles, concurrent loops, CPU time of other processes read from /proc, table output.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The q-quantile of an ascending array (nearest rank); NaN when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Runs `worker` on C concurrent loops that take item indexes 0…count-1 one by one. */
export async function pool(count: number, concurrency: number, worker: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await worker(i);
    }),
  );
}

export const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime+stime (ms) by pid of every process with this name (`postgres`, `redis-server`). */
export function processCpu(name: string): Map<number, number> | undefined {
  try {
    const cpu = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== name) continue;
      const fields = stat.slice(close + 2).split(' ');
      cpu.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
    }
    return cpu.size > 0 ? cpu : undefined;
  } catch {
    return undefined;
  }
}

/** CPU ms the processes of that name used since `before` (a processCpu reading). */
export function cpuSince(name: string, before: Map<number, number> | undefined): number | undefined {
  const after = processCpu(name);
  if (!before || !after) return undefined;
  let ms = 0;
  for (const [pid, value] of after) ms += value - (before.get(pid) ?? 0);
  return ms;
}

/** A number with `digits` decimals, or '-' when there is none. */
export const f = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

/** One table row: the first cell left-aligned, the others right-aligned. */
export function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}
