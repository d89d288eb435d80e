// Lets parallel test runs each get their own testbed id and subnets. A slot is taken by creating its
// lock directory (mkdir is atomic); a slot whose owner process is dead is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAlive } from './ns-process.ts';
import { checkSubnetsFree } from './testbed-network.ts';
import { planTestbed, SLOT_COUNT, subnetsForSlot, TestbedError, type TestbedSubnets } from './testbed-plan.ts';

const LOCK_DIR = '/run/grappe-testbed';
export const FIRST_TEST_SLOT = 10; // slots below are for hand-picked testbeds (the demo uses slot 0)

export interface SlotReservation {
  id: string;
  slot: number;
  subnets: TestbedSubnets;
  release(): void;
}

const ownerOf = (dir: string): number | null => {
  try {
    const n = Number(readFileSync(`${dir}/owner`, 'utf8').trim());
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
};

function tryTake(slot: number): boolean {
  const dir = `${LOCK_DIR}/slot-${slot}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(dir);
      writeFileSync(`${dir}/owner`, `${process.pid}\n`);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = ownerOf(dir);
      if (owner === null || isAlive(owner)) return false; // no owner yet: being taken right now
      rmSync(dir, { recursive: true, force: true }); // stale: its owner died
    }
  }
  return false;
}

function subnetsFree(id: string, subnets: TestbedSubnets): boolean {
  try {
    checkSubnetsFree(planTestbed({ id, subnets, hosts: [{ name: 'probe', purpose: 'storage' }] }));
    return true;
  } catch {
    return false;
  }
}

export function reserveTestbedSlot(): SlotReservation {
  mkdirSync(LOCK_DIR, { recursive: true });
  for (let slot = FIRST_TEST_SLOT; slot < SLOT_COUNT; slot++) {
    const id = `t${slot}`;
    const subnets = subnetsForSlot(slot);
    if (!tryTake(slot)) continue;
    if (!subnetsFree(id, subnets)) {
      rmSync(`${LOCK_DIR}/slot-${slot}`, { recursive: true, force: true });
      continue;
    }
    return { id, slot, subnets, release: () => rmSync(`${LOCK_DIR}/slot-${slot}`, { recursive: true, force: true }) };
  }
  throw new TestbedError(`no free testbed slot: slots ${FIRST_TEST_SLOT}-${SLOT_COUNT - 1} are all taken`);
}

/** Frees the slot of testbed id `t<n>` when the process that reserved it is dead (a killed test run). */
export function releaseStaleSlot(id: string): void {
  const m = /^t(\d+)$/.exec(id);
  if (!m) return;
  const dir = `${LOCK_DIR}/slot-${m[1]}`;
  const owner = ownerOf(dir);
  if (owner !== null && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
}
