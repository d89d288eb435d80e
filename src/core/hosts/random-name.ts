// Random host names ("a button to generate a random host name"). The random source is
// injected so tests and the simulator stay deterministic.

const ADJECTIVES = [
  'amber',
  'brisk',
  'calm',
  'dusky',
  'eager',
  'frosty',
  'gentle',
  'hardy',
  'ivory',
  'jolly',
  'keen',
  'lucid',
  'mellow',
  'nimble',
  'olive',
  'proud',
  'quiet',
  'rapid',
  'sturdy',
  'tawny',
  'umber',
  'vivid',
  'wry',
  'young',
  'zesty',
] as const;
const NOUNS = [
  'alder',
  'birch',
  'cedar',
  'elm',
  'fir',
  'hazel',
  'juniper',
  'larch',
  'maple',
  'oak',
  'pine',
  'rowan',
  'spruce',
  'walnut',
  'willow',
  'yew',
  'ash',
  'beech',
  'holly',
  'linden',
] as const;

export function randomHostName(random: () => number, taken: ReadonlySet<string> = new Set()): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length] as T;
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = `${pick(ADJECTIVES)}-${pick(NOUNS)}-${String(Math.floor(random() * 100)).padStart(2, '0')}`;
    if (!taken.has(name)) return name;
  }
  throw new Error('could not find a free random host name after 100 attempts');
}
