// STEPLENS_DEBUG aid: CPU seconds per thread of this process and per child
// process, read from /proc (Linux), to see where a run's work goes (main
// thread, worker threads, V8's GC/compiler threads, execution workers).
// Elsewhere it reports nothing.

import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuOf(statPath: string): { name: string; seconds: number } | null {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the name start at 3 (state); utime and stime are 14 and 15.
    return { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** One line per thread of this process and per live child pid, CPU seconds, busiest first. */
export function cpuReport(childPids: readonly number[]): string {
  if (!existsSync('/proc/self/task')) return '';
  const rows: string[] = [];
  let total = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const c = cpuOf(`/proc/self/task/${tid}/stat`);
    if (!c || c.seconds === 0) continue;
    total += c.seconds;
    rows.push(`${c.seconds.toFixed(2).padStart(7)} s  thread ${tid} (${tid === String(process.pid) ? 'main' : c.name})`);
  }
  for (const pid of childPids) {
    const c = cpuOf(`/proc/${pid}/stat`);
    if (!c) continue;
    total += c.seconds;
    rows.push(`${c.seconds.toFixed(2).padStart(7)} s  child ${pid} (${c.name})`);
  }
  rows.sort((a, b) => parseFloat(b) - parseFloat(a));
  return `steplens: CPU ${total.toFixed(2)} s\n${rows.map((r) => `  ${r}\n`).join('')}`;
}
