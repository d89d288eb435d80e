// The request a piece of work runs for, carried through its async calls (AsyncLocalStorage): log
// lines name it, and calls to other parts pass it on (X-Request-Id), so one id ties the API request,
// the task it started and the agents' lines together.
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<{ readonly requestId: string }>();

export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
