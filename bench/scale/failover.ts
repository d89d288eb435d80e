// Host crashes in the simulated cluster: one host, then a rack at once. For each HA guest of the
// crashed hosts, how long until it runs on another host (the fleet's own record of starts), and
// whether any guest ever ran twice.
import type { HttpClient } from '../lib/http-client.ts';
import { summarize, type Summary } from '../lib/stats.ts';
import type { FleetClient } from './fleet-client.ts';
import { guestNumber, type ScaleCluster } from './scale-cluster.ts';

export interface CrashResult {
  readonly hosts: number;
  readonly guests: number;
  readonly restarted: number;
  readonly restartMs: Summary;
  /** Until the last of them ran again (null: not all within the limit). */
  readonly allRunningMs: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function crashAndWait(fleet: FleetClient, c: ScaleCluster, hosts: readonly number[], limitMs: number): Promise<CrashResult> {
  const guests = new Set(hosts.flatMap((h) => Array.from({ length: c.guestsPerHost }, (_, k) => `vm:${guestNumber(h, k, c.guestsPerHost)}`)));
  const crashedAt = await fleet.crash(hosts);
  const deadline = crashedAt + limitMs;
  const firstStart = new Map<string, number>();
  while (Date.now() < deadline && firstStart.size < guests.size) {
    await sleep(250);
    for (const s of (await fleet.report(crashedAt)).starts) if (guests.has(s.guest) && !firstStart.has(s.guest)) firstStart.set(s.guest, s.at - crashedAt);
  }
  const times = [...firstStart.values()];
  return {
    hosts: hosts.length,
    guests: guests.size,
    restarted: firstStart.size,
    restartMs: summarize(times, 0),
    allRunningMs: firstStart.size === guests.size ? Math.max(...times) : null,
  };
}

export async function measureFailover(
  _api: HttpClient,
  fleet: FleetClient,
  c: ScaleCluster,
  rack: number,
  log: (s: string) => void,
): Promise<{ oneHost: CrashResult; rack: CrashResult; doubleRuns: number; maxGuestsPerHost: number }> {
  const oneHost = await crashAndWait(fleet, c, [1], 120_000);
  log(`1 host crashed: ${oneHost.restarted}/${oneHost.guests} guests running again, p99 ${oneHost.restartMs.p99} ms`);
  await sleep(5_000);
  const rackHosts = Array.from({ length: rack }, (_, k) => k + 2);
  const rackResult = await crashAndWait(fleet, c, rackHosts, 180_000);
  log(`${rack} hosts crashed: ${rackResult.restarted}/${rackResult.guests} running again, last after ${rackResult.allRunningMs} ms`);
  await sleep(3_000);
  const report = await fleet.report(Date.now());
  const perHost = new Map<number, number>();
  for (const on of Object.values(report.running)) for (const h of on) perHost.set(h, (perHost.get(h) ?? 0) + 1);
  return { oneHost, rack: rackResult, doubleRuns: report.doubleRuns.length, maxGuestsPerHost: Math.max(0, ...perHost.values()) };
}
