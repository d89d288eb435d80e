// The run's orchestration with fake ports: the parallel limit holds, a failed move leaves the others
// moving, every transition is saved before the next step, and a move cut short by a restart is settled
// from where the guest really is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFromEvacuation, transition, type GuestRun, type RunState } from '../../core/evacuation/evacuation-run.ts';
import type { EvacuationPlan, Move } from '../../core/evacuation/evacuation-types.ts';
import { driveRun } from './evacuation-runner.ts';
import { settle } from './evacuation-resume.ts';

const src = { id: 1, name: 'p1' };
const dst = { id: 2, name: 'p2' };
const move = (n: number): Move => ({
  guest: `vm:${n}`,
  from: src,
  to: dst,
  kind: 'live',
  power: 'running',
  expectedDowntimeMs: 100,
  downtimeBasis: 'default',
  why: '',
});
const plan = (count: number, maxParallel: number): EvacuationPlan => ({
  source: src,
  mode: 'spread',
  maxParallel,
  moves: Array.from({ length: count }, (_, i) => move(100 + i)),
  unmovable: [],
});

/** Moves that end when the test says so, with how many ran at once. */
function gatedMover() {
  const gates = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  let running = 0;
  let most = 0;
  const started: string[] = [];
  return {
    gates,
    started,
    most: () => most,
    move: (g: GuestRun) =>
      new Promise<{ downtimeMs: number }>((resolve, reject) => {
        running++;
        most = Math.max(most, running);
        started.push(g.guest);
        gates.set(g.guest, {
          resolve: () => {
            running--;
            resolve({ downtimeMs: 7 });
          },
          reject: (e) => {
            running--;
            reject(e);
          },
        });
      }),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('evacuation runner', () => {
  it('never more than maxParallel moves at once; every transition saved; ends done', async () => {
    const mover = gatedMover();
    const saved: RunState[] = [];
    const lines: string[] = [];
    let t = 0;
    const run = driveRun(runFromEvacuation('E000001', plan(5, 2)), {
      now: () => ++t,
      save: async (s, log) => {
        saved.push(s);
        lines.push(...log);
      },
      move: mover.move,
    });
    const released = new Set<string>();
    while (released.size < 5) {
      await tick();
      const open = [...mover.gates.keys()].find((k) => !released.has(k));
      if (open) {
        released.add(open);
        mover.gates.get(open)!.resolve();
      }
    }
    const final = await run;
    assert.equal(final.phase, 'done');
    assert.equal(mover.most(), 2);
    assert.ok(saved.every((s) => s.guests.filter((g) => g.step === 'migrating').length <= 2));
    assert.ok(final.guests.every((g) => g.step === 'done' && g.downtimeMs === 7));
    assert.match(lines[0]!, /evacuation 'E000001' of host 'p1': state changed from 'planned' to 'running'/);
    assert.match(lines.at(-1)!, /state changed from 'running' to 'done'/);
    assert.equal(saved.at(-1), final);
  });

  it('a failed move is reported with its reason and the others still move; the run ends failed', async () => {
    const final = await driveRun(runFromEvacuation('E000002', plan(3, 1)), {
      now: () => 0,
      save: async () => undefined,
      move: async (g) => {
        if (g.guest === 'vm:101') throw new Error('host p2 cannot take it: no room');
        return { downtimeMs: 3 };
      },
    });
    assert.equal(final.phase, 'failed');
    assert.deepEqual(
      final.guests.map((g) => g.step),
      ['done', 'failed', 'done'],
    );
    assert.equal(final.guests[1]!.error, 'host p2 cannot take it: no room');
  });

  it('a save that fails stops the run where it was saved (a stopping controller)', async () => {
    let saves = 0;
    await assert.rejects(
      driveRun(runFromEvacuation('E000003', plan(2, 2)), {
        now: () => 0,
        save: async () => {
          if (++saves === 2) throw new Error('store closed');
        },
        move: async () => ({ downtimeMs: 1 }),
      }),
      /store closed/,
    );
  });

  it('refuses to drive a run with moves nobody settled', async () => {
    const s0 = transition(runFromEvacuation('E000004', plan(1, 1)), { type: 'start', at: 0 }).state;
    const s1 = transition(s0, { type: 'guest-started', guest: 'vm:100', at: 1 }).state;
    await assert.rejects(driveRun(s1, { now: () => 0, save: async () => undefined, move: async () => ({ downtimeMs: 0 }) }), /nobody drives/);
  });
});

describe('settling a move cut short by a restart', () => {
  const g: GuestRun = { guest: 'vm:100', from: src, to: dst, kind: 'live', power: 'running', step: 'migrating', startedAt: 1 };
  it('recorded on the target: done', () => {
    assert.deepEqual(settle(g, { recordedOn: 2, reportedBy: [2] }, 9), { type: 'guest-done', guest: 'vm:100', at: 9 });
  });
  it('still on the source: requeued, with why', () => {
    const e = settle(g, { recordedOn: 1, reportedBy: [1, 2] }, 9);
    assert.equal(e.type, 'guest-requeued');
    assert.match(e.type === 'guest-requeued' ? e.why : '', /still on 'p1'/);
    assert.equal(settle(g, { recordedOn: 1, reportedBy: [] }, 9).type, 'guest-requeued', 'agents silent: try again');
  });
  it('deleted, running only on the target while recorded on the source, or moved elsewhere: failed with why', () => {
    const reasons = [
      settle(g, { recordedOn: null, reportedBy: [] }, 9),
      settle(g, { recordedOn: 1, reportedBy: [2] }, 9),
      settle(g, { recordedOn: 3, reportedBy: [] }, 9),
    ].map((e) => (e.type === 'guest-failed' ? e.error : e.type));
    assert.match(reasons[0]!, /deleted/);
    assert.match(reasons[1]!, /found on 'p2' while still recorded on 'p1'/);
    assert.match(reasons[2]!, /moved elsewhere/);
  });
});
