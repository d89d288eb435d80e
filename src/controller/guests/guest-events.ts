// The events the guests module emits; one place so subjects and messages stay uniform.
import type { GUEST_EVENT_TYPES } from '../../contract/guest.contract.ts';
import type { ControllerContext } from '../platform/types.ts';
import type { GuestRecord } from './guest-record.ts';

export async function emitGuestEvent(
  ctx: Pick<ControllerContext, 'events'>,
  type: (typeof GUEST_EVENT_TYPES)[number],
  g: Pick<GuestRecord, 'id' | 'name'>,
  message: string,
  data: Record<string, unknown> = {},
  severity: 'info' | 'warning' | 'error' = 'info',
): Promise<void> {
  await ctx.events.emit({ type, severity, subject: g.id, message, data: { guest: g.name, ...data } });
}
