interface Entry {
  readonly key: string;
  readonly at: number;
}

/**
 * Keys waiting until a time, earliest first; one entry per key (the earliest requested time
 * wins, as in client-go's delaying queue). A binary heap with lazy deletion, so thousands of
 * canaries waiting for their next step cost O(log n) per operation and one timer in total.
 */
export class DelayHeap {
  #heap: Entry[] = [];
  #due = new Map<string, number>();

  get size(): number {
    return this.#due.size;
  }

  /** Schedules `key` at `at`; returns true when this changed the key's time. */
  push(key: string, at: number): boolean {
    const current = this.#due.get(key);
    if (current !== undefined && current <= at) return false;
    this.#due.set(key, at);
    this.#heap.push({ key, at });
    this.#up(this.#heap.length - 1);
    return true;
  }

  delete(key: string): void {
    this.#due.delete(key);
  }

  /** Time of the earliest live entry. */
  peekTime(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.at;
  }

  /** Removes and returns every key due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const out: string[] = [];
    for (;;) {
      this.#dropStale();
      const top = this.#heap[0];
      if (top === undefined || top.at > now) return out;
      this.#pop();
      this.#due.delete(top.key);
      out.push(top.key);
    }
  }

  #dropStale(): void {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || this.#due.get(top.key) === top.at) return;
      this.#pop();
    }
  }

  #pop(): void {
    const last = this.#heap.pop();
    if (last === undefined || this.#heap.length === 0) return;
    this.#heap[0] = last;
    this.#down(0);
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const child = h[i];
      const parent = h[p];
      if (child === undefined || parent === undefined || parent.at <= child.at) return;
      h[i] = parent;
      h[p] = child;
      i = p;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      let m = i;
      if ((h[l]?.at ?? Infinity) < (h[m]?.at ?? Infinity)) m = l;
      if ((h[l + 1]?.at ?? Infinity) < (h[m]?.at ?? Infinity)) m = l + 1;
      if (m === i) return;
      const a = h[i];
      const b = h[m];
      if (a === undefined || b === undefined) return;
      h[i] = b;
      h[m] = a;
      i = m;
    }
  }
}
