// HA events on the event stream: type 'ha.<event>', the admin's sentence, alerts as warnings.
import { haEventType } from '../../contract/ha.contract.ts';
import { describeEvent, isAlert, type HaEvent } from '../../core/ha/ha-events.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import type { HaLoopEvent } from './ha-loop.ts';

/** A controller time as an admin reads it in an event: 06:12:03.4 UTC. */
const wallClock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 21)} UTC`;

const SEVERE: ReadonlySet<HaEvent['type']> = new Set(['storm-guard', 'ha-unhealthy', 'guest-left-down']);

/** The subject an event is about: the host, the guest, or the pool. */
function subjectOf(e: HaEvent, hosts: ReadonlyMap<string, HostRecord>): string {
  if ('guest' in e) return e.guest;
  if ('host' in e) {
    const h = hosts.get(e.host);
    return h ? `host:${h.id}` : `host:${e.host}`;
  }
  return 'ha';
}

export async function emitHaEvent(ctx: Pick<ControllerContext, 'events'>, e: HaLoopEvent): Promise<void> {
  if (e.kind === 'manager') {
    const ev = e.event;
    const severity = SEVERE.has(ev.type) ? 'error' : isAlert(ev) ? 'warning' : 'info';
    await ctx.events.emit({
      type: haEventType(ev.type),
      severity,
      subject: subjectOf(ev, e.hosts),
      message: describeEvent(ev, wallClock),
      data: { ...ev, alert: isAlert(ev) } as Record<string, unknown>,
    });
  } else if (e.kind === 'recovery-failed') {
    await ctx.events.emit({
      type: haEventType('recovery-failed'),
      severity: 'error',
      subject: e.guest,
      message: `HA could not start guest ${e.guest} on ${e.host}: ${e.error}; it tries again after the start timeout`,
      data: { guest: e.guest, host: e.host, error: e.error, alert: true },
    });
  } else {
    await ctx.events.emit({
      type: haEventType('fence-agent'),
      severity: e.result.confirmed ? 'info' : 'error',
      subject: `host:${e.host}`,
      message: e.result.confirmed
        ? `fence agent of ${e.host} confirmed the power-off (${e.result.detail})`
        : `fence agent of ${e.host} did not confirm the power-off (${e.result.detail}); HA waits for its self-fence deadline`,
      data: { host: e.host, confirmed: e.result.confirmed, detail: e.result.detail, alert: !e.result.confirmed },
    });
  }
}
