// The simulator's entry point: replay a fault script on a copy of a cluster and return what
// happened. `grappe simulate` and the golden scenarios both call this.
import { loadCluster } from './cluster-snapshot.ts';
import { parseScript } from './sim-script.ts';
import { Simulation, type SimResult, type SimulationOptions } from './simulation.ts';

export type { SimResult } from './simulation.ts';

/** Throws a coded invalidInput error for a bad snapshot or script, before simulating anything. */
export function simulate(clusterSnapshot: unknown, script: string, options: SimulationOptions = {}): SimResult {
  const loaded = loadCluster(clusterSnapshot);
  const ops = parseScript(script, new Set(loaded.config.hosts.map((h) => h.id)));
  return new Simulation(loaded, options).run(ops.map((l) => l.op));
}

/** What `grappe simulate fail HOST` plays: the host loses power, then time passes. */
export const failHostScript = (host: string, seconds = 30): string => `power ${host} off\nwait ${seconds}s\n`;
