// The store as the controller uses it, timed: every get, list and txn is observed in
// grappe_store_operation_duration_seconds. Watches and the rest pass straight through.
import type { Store } from '../../store/store.ts';
import type { MetricsRecorder } from '../platform/types.ts';

export function instrumentStore(store: Store, metrics: Pick<MetricsRecorder, 'storeCall'>): Store {
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const t0 = performance.now();
      try {
        return await call(...args);
      } finally {
        metrics.storeCall(operation, (performance.now() - t0) / 1000);
      }
    };
  return {
    get: timed('get', (key) => store.get(key)),
    list: timed('list', (prefix, options) => store.list(prefix, options)),
    txn: timed('txn', (compare, success, failure) => store.txn(compare, success, failure)),
    watch: (prefix, listener) => store.watch(prefix, listener),
    revision: () => store.revision(),
    integrityCheck: () => store.integrityCheck(),
    close: () => store.close(),
  };
}
