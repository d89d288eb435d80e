// Coded refusals of the HA area. Same shape as the catalog in core/errors.ts.
import { GrappeError } from '../errors.ts';

export const haErrors = {
  planBreaksTolerance: (guest: string, restart: string, tolerable: number, configured: number) =>
    new GrappeError(
      'planBreaksTolerance',
      `cannot set guest '${guest}' to restart '${restart}': the pool could then survive only ${tolerable} host failure(s), ` +
        `fewer than the ${configured} configured; free capacity or lower the host failures to tolerate`,
      { guest, restart, tolerable, configured },
    ),
  toleranceTooHigh: (asked: number, tolerable: number) =>
    new GrappeError(
      'toleranceTooHigh',
      `cannot set host failures to tolerate to ${asked}: with the current hosts and 'always' guests the pool can survive only ${tolerable}`,
      { asked, tolerable },
    ),
  invalidPlan: (message: string) => new GrappeError('invalidPlan', message),
};
