// Work over many hosts with a bound on how much runs at once: at thousands of hosts, starting every
// call together makes thousands of TLS handshakes in one burst, and the calls time out waiting for
// the controller's own event loop, not for the hosts.

/** Runs `work` over `items`, at most `limit` at once, each to its end; the outcomes in `items`' order. */
export async function settleLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await work(items[i]!, i) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
