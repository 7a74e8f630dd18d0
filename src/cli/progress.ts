// Progress of a long run on stderr: a redrawn bar with rate and ETA on a
// terminal; plain lines every few seconds otherwise (CI logs, pipes).

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  total: number;
  /** Items already done before this run (resume): counted, not in the rate. */
  start?: number;
  label?: string;
  /** Plain mode: seconds between lines. */
  intervalS?: number;
  now?: () => number;
}

export class Progress {
  private readonly o: Required<Omit<ProgressOptions, 'start'>>;
  private readonly t0: number;
  private readonly start: number;
  private last = -Infinity;
  private done = 0;
  private drawn = false;
  private drawnDone = -1;

  constructor(options: ProgressOptions) {
    this.o = { label: 'records', intervalS: 5, now: () => performance.now() / 1000, ...options };
    this.start = options.start ?? 0;
    this.done = this.start;
    this.t0 = this.o.now();
  }

  update(done: number): void {
    this.done = done;
    const now = this.o.now();
    const every = this.o.isTTY ? 0.1 : this.o.intervalS;
    if (now - this.last < every && done < this.o.total) return;
    this.last = now;
    this.draw(now);
  }

  /** Final state; on a terminal, ends the bar's line. */
  finish(): void {
    if (this.o.total === 0) return;
    if (this.drawnDone !== this.done) this.draw(this.o.now());
    if (this.o.isTTY && this.drawn) this.o.write('\n');
  }

  line(now = this.o.now()): string {
    const { total, label } = this.o;
    const elapsed = Math.max(1e-9, now - this.t0);
    const rate = (this.done - this.start) / elapsed;
    const pct = total ? Math.floor((100 * this.done) / total) : 100;
    const left = total - this.done;
    const eta = rate > 0 ? formatDuration(left / rate) : '?';
    const stats = `${this.done}/${total} ${label} ${pct}%  ${rate.toFixed(rate < 10 ? 1 : 0)}/s  ETA ${eta}`;
    if (!this.o.isTTY) return `steplens: ${stats}`;
    const width = 30;
    const filled = total ? Math.round((width * this.done) / total) : width;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`;
  }

  private draw(now: number): void {
    this.drawnDone = this.done;
    if (this.o.isTTY) {
      this.o.write(`\r\x1b[2K${this.line(now)}`);
      this.drawn = true;
    } else this.o.write(`${this.line(now)}\n`);
  }
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}
