// Why a guest could not be placed, as one coded error. The scheduler (core/scheduler)
// decides; this turns a decision without a winner into the refusal create, migrate and HA recovery
// answer, keeping the codes clients know: notProcessingHost / incorrectState (409) for a named host
// that cannot take guests, guestTooLarge (422) when only capacity is missing, noHostAvailable (409)
// when no UP processing host is left, noSuitableHost (409) for storage, networks, labels, groups.
// The whole decision rides in the error's details, so `--explain` can show it even on a refusal.
import { GrappeError } from '../errors.ts';
import type { Decision } from '../scheduler/scheduler-types.ts';

const CAPACITY = new Set(['cpu', 'memory']);
const STATIC = new Set(['excluded', 'purpose', 'state']);

function tooLarge(d: Decision, where: string): GrappeError {
  const asked = `${d.request.vcpus} vCPU(s) and ${d.request.memoryMiB} MiB`;
  const l = d.largestFit;
  const tail = !l
    ? 'no host reports its capacity yet'
    : `the largest that fits ${where === 'any' ? `on any UP processing host is ${l.vcpus} vCPU(s) and ${l.memoryMiB} MiB (host '${l.host}')` : `on host '${where}' is ${l.vcpus} vCPU(s) and ${l.memoryMiB} MiB`}`;
  return new GrappeError('guestTooLarge', `cannot place ${d.guest}: it asks for ${asked}, and ${tail}`, {
    asked: d.request,
    ...(l ? { largest: { vcpus: l.vcpus, memoryMiB: l.memoryMiB, host: l.host } } : {}),
    decision: d,
  });
}

/** A decision over the one host the admin named (or a local volume pins): why that host refused. */
function namedRefusal(d: Decision): GrappeError {
  const c = d.candidates[0];
  const host = c?.host ?? '?';
  const filter = c?.rejectedBy?.filter;
  const reason = c?.rejectedBy?.reason ?? d.why;
  if (filter !== undefined && CAPACITY.has(filter)) return tooLarge(d, host);
  const message = `cannot place ${d.guest} on host '${host}': ${reason}`;
  const details = { host, decision: d };
  if (filter === 'purpose') return new GrappeError('notProcessingHost', message, details);
  if (filter === 'state') return new GrappeError('incorrectState', message, details);
  return new GrappeError('noSuitableHost', message, details);
}

/**
 * The refusal for a decision without a winner. `named`: the decision looked at the one host the
 * admin named, so its own verdict is the answer.
 */
export function placementRefusal(d: Decision, options: { named?: boolean } = {}): GrappeError {
  if (options.named) return namedRefusal(d);
  const r = d.counts.rejected;
  const staticallyRejected = (r.excluded ?? 0) + (r.purpose ?? 0) + (r.state ?? 0);
  if (staticallyRejected === d.counts.hosts) {
    const besides = (r.excluded ?? 0) > 0 ? ' besides the excluded one(s)' : '';
    return new GrappeError(
      'noHostAvailable',
      `cannot place ${d.guest}: there is no UP processing host${besides} (add one, or enable one that is DISABLED or in maintenance)`,
      { decision: d },
    );
  }
  // A host passed every filter but capacity: size is what is missing.
  if (d.largestFit) return tooLarge(d, 'any');
  return new GrappeError('noSuitableHost', `cannot place ${d.guest}: ${noFitReasons(d)}`, { decision: d });
}

/** Counts per filter, then the first few hosts with their own reason (when the decision has them). */
function noFitReasons(d: Decision): string {
  const counts = Object.entries(d.counts.rejected)
    .map(([f, n]) => `${n} by ${f}`)
    .join(', ');
  const examples = d.candidates
    .filter((c) => c.rejectedBy && !STATIC.has(c.rejectedBy.filter))
    .slice(0, 3)
    .map((c) => `'${c.host}': ${c.rejectedBy!.reason}`);
  return `no host passes the filters (of ${d.counts.hosts} host(s), rejected ${counts})${examples.length > 0 ? `; ${examples.join('; ')}` : ''}`;
}
