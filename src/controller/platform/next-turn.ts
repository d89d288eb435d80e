// Long passes over every guest or volume (25,000 at scale) give the event loop back now and then, so
// an API request waits for a slice of a pass, not for the whole of it (one pass held the loop 450 ms).

/** Resolves on the event loop's next turn, after the I/O waiting now. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Items a pass handles between two turns: a few milliseconds of work. */
export const ITEMS_PER_TURN = 1000;

/** After every `ITEMS_PER_TURN`-th item (by 0-based index), the next turn; otherwise at once. */
export const turnAfter = (index: number, every = ITEMS_PER_TURN): Promise<void> | undefined => ((index + 1) % every === 0 ? nextTurn() : undefined);
