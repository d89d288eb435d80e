import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGrappeError } from '../errors.ts';
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';
import { assertNoneActive, hostStateDuring, nextToStart, runFromEvacuation, runFromUndo, transition, type RunEvent, type RunState } from './evacuation-run.ts';
import { planEvacuation } from './plan-evacuation.ts';

const host = (id: number, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name: `h${id}`,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 32,
  memoryMiBTotal: 65536,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: [],
  networks: [],
  ...over,
});
const plan = planEvacuation({
  source: 1,
  hosts: [host(1, { state: 'MAINT' }), host(2), host(3)],
  mode: 'spread',
  guests: [
    { id: 'vm:101', power: 'running', vcpus: 1, memoryMiB: 3072 },
    { id: 'vm:102', power: 'stopped', vcpus: 1, memoryMiB: 2048 },
    { id: 'vm:103', power: 'running', vcpus: 1, memoryMiB: 1024 },
  ],
});

function apply(s: RunState, events: RunEvent[], log: string[] = []): RunState {
  for (const e of events) {
    const t = transition(s, e);
    log.push(...t.log);
    s = t.state;
  }
  return s;
}

describe('evacuation run state machine', () => {
  it('planned → running → done, at most maxParallel at once, a log line for every change', () => {
    const log: string[] = [];
    let s = runFromEvacuation('ev-1', plan);
    assert.equal(hostStateDuring(s), undefined);
    s = apply(s, [{ type: 'start', at: 1000 }], log);
    assert.equal(hostStateDuring(s), 'EVACUATING');
    assert.deepEqual(
      nextToStart(s).map((g) => g.guest),
      ['vm:101', 'vm:102'],
    );
    s = apply(
      s,
      [
        { type: 'guest-started', guest: 'vm:101', at: 1001 },
        { type: 'guest-started', guest: 'vm:102', at: 1002 },
      ],
      log,
    );
    assert.deepEqual(nextToStart(s), []);
    s = apply(s, [{ type: 'guest-done', guest: 'vm:101', at: 1500, downtimeMs: 31 }], log);
    assert.deepEqual(
      nextToStart(s).map((g) => g.guest),
      ['vm:103'],
    );
    s = apply(
      s,
      [
        { type: 'guest-started', guest: 'vm:103', at: 1501 },
        { type: 'guest-done', guest: 'vm:102', at: 1600 },
        { type: 'guest-done', guest: 'vm:103', at: 1700, downtimeMs: 12 },
      ],
      log,
    );
    assert.equal(s.phase, 'done');
    assert.equal(s.finishedAt, 1700);
    assert.equal(hostStateDuring(s), 'MAINT');
    assert.deepEqual(
      s.guests.map((g) => [g.guest, g.step, g.power, g.downtimeMs]),
      [
        ['vm:101', 'done', 'running', 31],
        ['vm:102', 'done', 'stopped', undefined],
        ['vm:103', 'done', 'running', 12],
      ],
    );
    assert.deepEqual(log, [
      "evacuation 'ev-1' of host 'h1': state changed from 'planned' to 'running'",
      "guest 'vm:101': state changed from 'queued' to 'migrating'",
      "guest 'vm:102': state changed from 'queued' to 'migrating'",
      "guest 'vm:101': state changed from 'migrating' to 'done'",
      "guest 'vm:103': state changed from 'queued' to 'migrating'",
      "guest 'vm:102': state changed from 'migrating' to 'done'",
      "guest 'vm:103': state changed from 'migrating' to 'done'",
      "evacuation 'ev-1' of host 'h1': state changed from 'running' to 'done'",
    ]);
  });

  it('one failed guest: the others still finish, the run ends failed', () => {
    const s = apply(runFromEvacuation('ev-2', plan), [
      { type: 'start', at: 0 },
      { type: 'guest-started', guest: 'vm:101', at: 1 },
      { type: 'guest-failed', guest: 'vm:101', at: 2, error: 'destination refused: no room' },
      { type: 'guest-started', guest: 'vm:102', at: 3 },
      { type: 'guest-started', guest: 'vm:103', at: 3 },
      { type: 'guest-done', guest: 'vm:102', at: 4 },
    ]);
    assert.equal(s.phase, 'running');
    const end = transition(s, { type: 'guest-done', guest: 'vm:103', at: 5 });
    assert.equal(end.state.phase, 'failed');
    assert.equal(end.state.guests[0]!.error, 'destination refused: no room');
    assert.equal(end.log.at(-1), "evacuation 'ev-2' of host 'h1': state changed from 'running' to 'failed'");
  });

  it('survives a restart: the stored state resumes, a move found dead is requeued', () => {
    const before = apply(runFromEvacuation('ev-3', plan), [
      { type: 'start', at: 0 },
      { type: 'guest-started', guest: 'vm:101', at: 1 },
    ]);
    const stored: RunState = JSON.parse(JSON.stringify(before));
    const t = transition(stored, { type: 'guest-requeued', guest: 'vm:101', why: 'the controller restarted and the migration was not running' });
    assert.deepEqual(t.log, ["guest 'vm:101': state changed from 'migrating' to 'queued'"]);
    assert.equal(t.state.guests[0]!.startedAt, undefined);
    assert.deepEqual(
      nextToStart(t.state).map((g) => g.guest),
      ['vm:101', 'vm:102'],
    );
  });

  it('an empty plan is done as soon as it starts; undo runs carry Unavailable guests as unmovable', () => {
    const undo = runFromUndo('ev-4', {
      evacuation: 'ev-4',
      origin: { id: 1, name: 'h1' },
      available: [],
      unavailable: [{ guest: 'vm:1', why: 'deleted since the evacuation' }],
    });
    const t = transition(undo, { type: 'start', at: 9 });
    assert.equal(t.state.phase, 'done');
    assert.deepEqual(t.log, [
      "undo of evacuation 'ev-4' of host 'h1': state changed from 'planned' to 'running'",
      "undo of evacuation 'ev-4' of host 'h1': state changed from 'running' to 'done'",
    ]);
    assert.deepEqual(t.state.unmovable, [{ guest: 'vm:1', reason: 'deleted since the evacuation' }]);
  });

  it('refuses impossible transitions with a coded error', () => {
    const s = runFromEvacuation('ev-5', plan);
    const code = (f: () => unknown, c: string, re: RegExp) => assert.throws(f, (e: unknown) => isGrappeError(e) && e.code === c && re.test(e.message));
    code(
      () => transition(s, { type: 'guest-started', guest: 'vm:101', at: 0 }),
      'incorrectState',
      /it is planned, and report on guest 'vm:101' of needs it to be running/,
    );
    const r = apply(s, [{ type: 'start', at: 0 }]);
    code(() => transition(r, { type: 'start', at: 0 }), 'incorrectState', /cannot start evacuation 'ev-5' of host 'h1': it is running/);
    code(() => transition(r, { type: 'guest-done', guest: 'vm:101', at: 0 }), 'incorrectState', /cannot finish moving guest 'vm:101': it is queued/);
    code(() => transition(r, { type: 'guest-started', guest: 'vm:999', at: 0 }), 'invalidInput', /not part of/);
    const two = apply(r, [
      { type: 'guest-started', guest: 'vm:101', at: 0 },
      { type: 'guest-started', guest: 'vm:102', at: 0 },
    ]);
    code(() => transition(two, { type: 'guest-started', guest: 'vm:103', at: 0 }), 'tooManyMigrations', /2 migration\(s\) already run/);
  });

  it('only one evacuation in the pool at a time', () => {
    const running = apply(runFromEvacuation('ev-6', plan), [{ type: 'start', at: 0 }]);
    assert.throws(
      () => assertNoneActive([running], "evacuate host 'h2'"),
      (e: unknown) =>
        isGrappeError(e) &&
        e.kind === 'conflict' &&
        e.message === "cannot evacuate host 'h2': evacuation 'ev-6' of host 'h1' is still running, and only one evacuation runs in the pool at a time",
    );
    const finished = apply(runFromEvacuation('ev-7', { ...plan, moves: [] }), [{ type: 'start', at: 0 }]);
    assert.doesNotThrow(() => assertNoneActive([finished], "evacuate host 'h2'"));
  });
});
