// The areas' live state for one controller (host cache, guest claims, the HA loop, open consoles),
// owned by its context: made on first use, one per controller, gone with it. Never module-level
// state, so two controllers in one process (the tests) share nothing, and a test can put its own
// value in a slot (a fake agent link) before the area first uses it.

/** A named piece of per-controller state and how to make it from the controller's context. */
export interface RuntimeSlot<C, T> {
  readonly name: string;
  readonly create: (ctx: C) => T;
}

export const runtimeSlot = <C, T>(name: string, create: (ctx: C) => T): RuntimeSlot<C, T> => ({ name, create });

export class RuntimeSlots<C> {
  private readonly values = new Map<RuntimeSlot<C, unknown>, unknown>();

  constructor(private readonly owner: () => C) {}

  get<T>(slot: RuntimeSlot<C, T>): T {
    if (!this.values.has(slot)) this.values.set(slot, slot.create(this.owner()));
    return this.values.get(slot) as T;
  }

  /** Puts a value in the slot (tests: a fake), replacing what it held. */
  set<T>(slot: RuntimeSlot<C, T>, value: T): void {
    this.values.set(slot, value);
  }
}
