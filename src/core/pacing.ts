// Loops that visit every host once per round slow their round down as hosts grow, so the calls
// they make stay within a budget per second: the controller serves the loops and the API on about
// one core (measured with the scale benchmark, bench/scale.bench.ts). Pure.

/** A round's length: `baseMs`, or longer so that visiting `hosts` takes at most `perSecond` visits a second. */
export const pacedPeriodMs = (baseMs: number, hosts: number, perSecond: number): number => Math.max(baseMs, Math.ceil((hosts * 1000) / perSecond));

/** Hosts the monitors (host indicators, guest states) visit a second at most: past 500 hosts their 2 s round grows. */
export const MONITOR_HOSTS_PER_SECOND = 250;
