// A fleet of simulated agents in its own process (forked by the scale benchmark), so its CPU is
// measured apart from the controller's. Driven over IPC: start, crash, report.
import { AgentFleet, type FleetOptions } from './agent-fleet.ts';

export type FleetCommand =
  | { readonly cmd: 'start'; readonly options: FleetOptions }
  | { readonly cmd: 'crash'; readonly hosts: readonly number[] }
  | { readonly cmd: 'report'; readonly startsSince?: number }
  | { readonly cmd: 'stop' };

export interface FleetReport {
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly running: Record<string, number[]>;
  readonly starts: readonly { guest: string; host: number; at: number }[];
  readonly doubleRuns: readonly { guest: string; hosts: number[]; at: number }[];
  readonly calls: Record<string, number>;
}

let fleet: AgentFleet | undefined;

async function answer(m: FleetCommand): Promise<unknown> {
  switch (m.cmd) {
    case 'start':
      fleet = new AgentFleet(m.options);
      await fleet.start();
      return { ready: true };
    case 'crash':
      fleet?.crash(m.hosts);
      return { crashedAt: Date.now() };
    case 'report': {
      const cpu = process.cpuUsage();
      const f = fleet;
      const report: FleetReport = {
        cpuMs: (cpu.user + cpu.system) / 1000,
        rssBytes: process.memoryUsage().rss,
        running: f ? Object.fromEntries([...f.ledger.running].filter(([, on]) => on.size > 0).map(([g, on]) => [g, [...on]])) : {},
        starts: f ? f.ledger.starts.filter((s) => s.at >= (m.startsSince ?? 0)) : [],
        doubleRuns: f?.ledger.doubleRuns ?? [],
        calls: f ? Object.fromEntries(f.calls) : {},
      };
      return report;
    }
    case 'stop':
      await fleet?.stop();
      setImmediate(() => process.exit(0));
      return { stopped: true };
  }
}

process.on('message', (m: FleetCommand & { id: number }) => {
  answer(m).then(
    (result) => process.send?.({ id: m.id, result }),
    (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.stack : String(err) }),
  );
});
