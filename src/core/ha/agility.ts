// Agility: a guest may be restarted on another host only if nothing ties it to its current one
// (XenServer's rule): every disk on shared storage, every NIC on a shared network, no CD inserted.
import { GrappeError } from '../errors.ts';

export interface AgilityFacts {
  readonly disks: readonly { readonly name: string; readonly shared: boolean }[];
  readonly nics: readonly { readonly network: string; readonly shared: boolean }[];
  /** The image in its CD drive, if one is inserted. */
  readonly cdrom?: string | undefined;
}

/** The reasons the guest is not agile, phrased for the admin; empty when it is agile. */
export function agilityProblems(facts: AgilityFacts): string[] {
  const problems: string[] = [];
  const localDisks = facts.disks.filter((d) => !d.shared).map((d) => d.name);
  if (localDisks.length > 0) problems.push(`the guest has disks on storage that is not shared (${localDisks.join(', ')})`);
  const localNets = facts.nics.filter((n) => !n.shared).map((n) => n.network);
  if (localNets.length > 0) problems.push(`the guest is not using a shared network (${[...new Set(localNets)].join(', ')})`);
  if (facts.cdrom !== undefined) problems.push(`the guest has a CD inserted (${facts.cdrom}); eject it`);
  return problems;
}

/** Throws the notAgile refusal when HA cannot protect this guest. */
export function assertAgile(guest: string, facts: AgilityFacts): void {
  const problems = agilityProblems(facts);
  if (problems.length === 0) return;
  throw new GrappeError('notAgile', `cannot protect guest '${guest}' with HA: it is not agile: ${problems.join('; ')}`, { guest, problems });
}
