import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvacuationPlanView, UndoPlanView } from '../../contract/evacuation.contract.ts';
import { renderEvacuationPlan, renderMaintenancePreview, renderUndoPlan } from './evacuation-views.ts';

const p1 = { id: 1, name: 'proc1' };
const p2 = { id: 2, name: 'proc2' };
const move = {
  guest: 'vm:100',
  from: p1,
  to: p2,
  kind: 'live' as const,
  power: 'running' as const,
  expectedDowntimeMs: 12,
  downtimeBasis: 'median of 3 measured live migration(s)',
  why: '',
};

test('evacuation plan: a row per move with kind, end state and expected downtime with its basis; the unmovable with why', () => {
  const plan: EvacuationPlanView = {
    source: p1,
    mode: 'spread',
    maxParallel: 2,
    moves: [move],
    unmovable: [{ guest: 'vm:104', reason: 'blocked: a CD is inserted' }],
  };
  assert.equal(
    renderEvacuationPlan(plan, false),
    [
      "Evacuation of host 'proc1' (spread over the processing hosts, at most 2 at once): 1 guest(s) move, 1 cannot",
      'GUEST   FROM   TO     KIND  ENDS     DOWNTIME  EXPECTED FROM',
      'vm:100  proc1  proc2  live  running     12 ms  median of 3 measured live migration(s)',
      'Cannot move:',
      '  vm:104: blocked: a CD is inserted',
      '',
    ].join('\n'),
  );
  assert.match(
    renderMaintenancePreview(
      { host: p1, state: { from: 'UP', to: 'MAINT' }, guests: [{ id: 'vm:100', name: 'web', state: 'running' }], evacuation: plan },
      false,
    ),
    /would go from UP to MAINT; it holds 1 guest\(s\)[\s\S]*vm:100\s+web\s+running[\s\S]*If it is then evacuated/,
  );
});

test('undo plan: available, Unavailable with why, and the warning', () => {
  const plan: UndoPlanView = {
    evacuation: 'E000001',
    origin: p1,
    available: [{ ...move, from: p2, to: p1 }],
    unavailable: [{ guest: 'vm:101', why: "moved since to 'proc3'" }],
    warning: { code: 'alreadyUndone', message: "evacuation 'E000001' of host 'proc1' was already undone" },
  };
  const text = renderUndoPlan(plan, false);
  assert.match(text, /1 guest\(s\) can go back, 1 Unavailable/);
  assert.match(text, /Unavailable:\n  vm:101: moved since to 'proc3'/);
  assert.match(text, /Warning: evacuation 'E000001' of host 'proc1' was already undone/);
});
