// The pool's queue of waiting queries, one lane per worker. A query goes to the
// lane its database hashes to, so each database is mostly opened, its schema
// read and its pages cached by one worker only: a test suite of 700 files
// otherwise costs every worker 700 opens and schema reads. A worker whose lane
// is empty takes from the fullest other lane, so no worker idles while work
// waits (docs/decisions.md, "Test-suite EX in the workers").

class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  take(n: number, out: T[]): void {
    const end = Math.min(this.items.length, this.head + n);
    for (let i = this.head; i < end; i++) out.push(this.items[i]);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  unshift(xs: readonly T[]): void {
    this.items = [...xs, ...this.items.slice(this.head)];
    this.head = 0;
  }

  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

export class JobQueue<T> {
  private readonly lanes: Fifo<T>[];
  /** Re-queued work (after a crash) goes first, to any worker. */
  private readonly front = new Fifo<T>();
  private count = 0;

  constructor(lanes: number) {
    this.lanes = Array.from({ length: Math.max(1, lanes) }, () => new Fifo<T>());
  }

  get size(): number {
    return this.count;
  }

  push(x: T, key: string): void {
    this.lanes[laneOf(key, this.lanes.length)].push(x);
    this.count++;
  }

  /** Up to `n` items for the worker of `lane`: re-queued ones, then its own, then the fullest other lane's. */
  take(n: number, lane: number): T[] {
    const out: T[] = [];
    this.front.take(n, out);
    if (out.length < n) this.lanes[lane % this.lanes.length].take(n - out.length, out);
    if (out.length < n) {
      let fullest: Fifo<T> | null = null;
      for (const l of this.lanes) if (l.size > 0 && (!fullest || l.size > fullest.size)) fullest = l;
      fullest?.take(n - out.length, out);
    }
    this.count -= out.length;
    return out;
  }

  /** Puts interrupted items back ahead of everything, in their order. */
  requeueFront(xs: readonly T[]): void {
    if (xs.length === 0) return;
    this.front.unshift(xs);
    this.count += xs.length;
  }

  /** Everything waiting, in no promised order; the queue is left empty. */
  drain(): T[] {
    const out = [...this.front.drain(), ...this.lanes.flatMap((l) => l.drain())];
    this.count = 0;
    return out;
  }
}

/** FNV-1a: cheap, and spreads similar paths (db_v1.sqlite, db_v2.sqlite) apart. */
export function laneOf(key: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
