// The events the hosts module emits; one place so their subjects and messages stay uniform.
import type { ControllerContext } from '../platform/types.ts';
import type { HostRecord } from './host-record.ts';

type Severity = 'info' | 'warning' | 'error';

export async function emitHostEvent(
  ctx: Pick<ControllerContext, 'events'>,
  type: 'host.added' | 'host.removed' | 'host.state' | 'host.updated' | 'host.indicators',
  host: Pick<HostRecord, 'id' | 'name'>,
  message: string,
  data: Record<string, unknown> = {},
  severity: Severity = 'info',
): Promise<void> {
  await ctx.events.emit({ type, severity, subject: `host:${host.id}`, message, data: { host: host.name, ...data } });
}
