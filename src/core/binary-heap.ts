// A binary heap: the item that comes first by `before` on top, O(log n) to push and pop. Pure.
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(a[i] as T, a[up] as T)) break;
      [a[i], a[up]] = [a[up] as T, a[i] as T];
      i = up;
    }
  }

  /** Removes and returns the first item, or undefined when empty. */
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let first = i;
      if (l < a.length && this.before(a[l] as T, a[first] as T)) first = l;
      if (r < a.length && this.before(a[r] as T, a[first] as T)) first = r;
      if (first === i) break;
      [a[i], a[first]] = [a[first] as T, a[i] as T];
      i = first;
    }
    return top;
  }
}
