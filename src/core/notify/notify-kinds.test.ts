import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindsOf, ruleMatches } from './notify-kinds.ts';

test('events map to the kinds an admin names; routine events to none', () => {
  assert.deepEqual(kindsOf({ type: 'ha.guest-recovered', severity: 'info' }), ['failover-done']);
  assert.deepEqual(kindsOf({ type: 'ha.host-fenced', severity: 'warning' }), ['fence']);
  assert.deepEqual(kindsOf({ type: 'ha.recovery-failed', severity: 'error' }), ['failover-failed', 'any-error']);
  assert.deepEqual(kindsOf({ type: 'task.updated', severity: 'error', data: { state: 'failed' } }), ['task-failed', 'any-error']);
  assert.deepEqual(kindsOf({ type: 'task.updated', severity: 'info', data: { state: 'running' } }), []);
  assert.deepEqual(kindsOf({ type: 'ha.tolerance-changed', severity: 'warning', data: { tolerable: 0, previous: 1 } }), ['tolerance-decreased']);
  assert.deepEqual(kindsOf({ type: 'ha.tolerance-changed', severity: 'info', data: { tolerable: 2, previous: 1 } }), [], 'an increase is good news');
  assert.deepEqual(kindsOf({ type: 'cluster.quorum-lost', severity: 'error' }), ['quorum-lost', 'any-error']);
});

test('a rule fires when enabled, for one of its kinds, at or above its severity', () => {
  const rule = { kinds: ['fence'], minSeverity: 'warning' as const, enabled: true };
  assert.equal(ruleMatches(rule, { type: 'ha.host-fenced', severity: 'warning' }), true);
  assert.equal(ruleMatches(rule, { type: 'ha.host-fenced', severity: 'info' }), false, 'below its severity');
  assert.equal(ruleMatches(rule, { type: 'ha.guest-recovered', severity: 'error' }), false, 'not its kind');
  assert.equal(ruleMatches({ ...rule, enabled: false }, { type: 'ha.host-fenced', severity: 'error' }), false, 'disabled');
});
