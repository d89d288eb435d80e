// The real clock; tests inject their own `Clock` to move time without waiting.
import type { Clock } from './types.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const isoAt = (clock: Clock): string => new Date(clock.now()).toISOString();
