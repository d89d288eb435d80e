// Agent ("connector") version comparison: "update available" means the host's agent is older than
// the bundle this controller ships. Versions are semver-like: MAJOR.MINOR.PATCH[-prerelease].

interface Parsed {
  readonly core: readonly number[];
  readonly pre: readonly string[];
}

function parse(version: string): Parsed | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: readonly string[], b: readonly string[]): number {
  // A release sorts after any of its prereleases (1.0.0-rc.1 < 1.0.0).
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return Math.sign(nx - ny);
    } else if (nx !== undefined)
      return -1; // numeric identifiers sort first
    else if (ny !== undefined) return 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b`; undefined when either is not a version. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < 3; i++) {
    const d = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return comparePre(pa.pre, pb.pre) as -1 | 0 | 1;
}

/** True when `installed` is a version strictly older than `shipped`. Unparsable versions never ask for an update. */
export const isOlderVersion = (installed: string, shipped: string): boolean => compareVersions(installed, shipped) === -1;
