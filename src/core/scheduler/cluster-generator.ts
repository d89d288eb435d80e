// Seeded synthetic clusters for property tests, the simulator and the placement benchmark:
// heterogeneous hosts (sizes, a few in maintenance, disabled or not for processing, pools and
// networks not everywhere) and a guest mix shaped like a small hosting provider's.
import type { HostState } from '../hosts/host.ts';
import type { GuestRequest, SchedulerHost } from './scheduler-types.ts';
import { seededRandom, type Random } from './seeded-random.ts';

export interface ClusterShape {
  readonly hosts: number;
  readonly guests: number;
  /** Off: every host is an UP processing host reaching every pool and network (capacity only). */
  readonly constraints?: boolean;
}

const HOST_MODELS = [
  { cpu: 8, memGiB: 32 },
  { cpu: 16, memGiB: 64 },
  { cpu: 24, memGiB: 128 },
  { cpu: 32, memGiB: 192 },
  { cpu: 48, memGiB: 256 },
  { cpu: 64, memGiB: 512 },
  { cpu: 96, memGiB: 768 },
] as const;

const GUEST_SIZES = [
  { vcpus: 1, memoryMiB: 512, weight: 10 },
  { vcpus: 1, memoryMiB: 1024, weight: 20 },
  { vcpus: 2, memoryMiB: 2048, weight: 25 },
  { vcpus: 2, memoryMiB: 4096, weight: 20 },
  { vcpus: 4, memoryMiB: 8192, weight: 15 },
  { vcpus: 8, memoryMiB: 16384, weight: 7 },
  { vcpus: 16, memoryMiB: 32768, weight: 3 },
] as const;
const WEIGHT_TOTAL = GUEST_SIZES.reduce((s, g) => s + g.weight, 0);

function guestSize(rnd: Random): { vcpus: number; memoryMiB: number } {
  let x = rnd.next() * WEIGHT_TOTAL;
  for (const s of GUEST_SIZES) {
    if ((x -= s.weight) < 0) return { vcpus: s.vcpus, memoryMiB: s.memoryMiB };
  }
  return { vcpus: 1, memoryMiB: 1024 };
}

function hostState(rnd: Random): HostState {
  const x = rnd.next();
  return x < 0.02 ? 'MAINT' : x < 0.03 ? 'DISABLED' : 'UP';
}

export function generateCluster(seed: number, shape: ClusterShape): { hosts: SchedulerHost[]; requests: GuestRequest[] } {
  const rnd = seededRandom(seed);
  const constrained = shape.constraints !== false;
  const hosts: SchedulerHost[] = [];
  for (let i = 0; i < shape.hosts; i++) {
    const m = rnd.pick(HOST_MODELS);
    hosts.push({
      id: i + 1,
      name: `h${i + 1}`,
      purpose: constrained && rnd.next() < 0.01 ? 'storage' : 'processing',
      state: constrained ? hostState(rnd) : 'UP',
      cpuTotal: m.cpu,
      memoryMiBTotal: m.memGiB * 1024,
      cpuAllocated: 0,
      memoryMiBAllocated: 0,
      pools: constrained ? (rnd.next() < 0.9 ? ['san-a', 'san-b'] : ['san-a']) : ['san-a', 'san-b'],
      networks: constrained ? (rnd.next() < 0.85 ? ['lan', 'dmz'] : ['lan']) : ['lan', 'dmz'],
      labels: { rack: `r${1 + (i % 20)}` },
    });
  }
  const requests: GuestRequest[] = [];
  for (let k = 0; k < shape.guests; k++) {
    const size = guestSize(rnd);
    const extra = constrained
      ? {
          pools: [rnd.next() < 0.2 ? 'san-b' : 'san-a'],
          networks: rnd.next() < 0.15 ? ['lan', 'dmz'] : ['lan'],
          ...(rnd.next() < 0.02 ? { antiAffinity: [`ha-pair-${k >> 1}`] } : {}),
        }
      : { pools: ['san-a'], networks: ['lan'] };
    requests.push({ guest: `vm:${100 + k}`, ...size, ...extra });
  }
  return { hosts, requests };
}
