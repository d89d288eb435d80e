// Writes the latest of a stream of snapshots, one write at a time: a snapshot that a newer one
// replaces before its write began is never written. A task's progress and the HA state change many
// times a second under load; writing every intermediate one cost most of the store's time when
// thousands of guests were created (scale benchmark). Every caller's promise resolves once a write
// that includes its snapshot (or a newer one) is done, so "awaited = stored" still holds.
export class LatestWriter<T> {
  private next: { value: T; done: Promise<void> } | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly write: (value: T) => Promise<void>) {}

  /** Queues `value` as the one to write next (replacing any not begun); resolves when it is written. */
  put(value: T): Promise<void> {
    if (this.next) {
      this.next.value = value;
      return this.next.done;
    }
    const slot = { value, done: Promise.resolve() };
    slot.done = this.tail.then(() => {
      this.next = undefined;
      return this.write(slot.value);
    });
    this.next = slot;
    this.tail = slot.done.catch(() => undefined);
    return slot.done;
  }

  /** Resolves when every queued write has ended (written or failed). */
  settled(): Promise<void> {
    return this.tail;
  }
}
