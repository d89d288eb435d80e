import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeLeader, type LeaderProbe } from './leader-liveness.ts';

const refused: LeaderProbe = { port: 'refused', memberAnswers: true };
const deadMachine: LeaderProbe = { port: 'silent', memberAnswers: false };
const paused: LeaderProbe = { port: 'open', memberAnswers: true };
const slowApi: LeaderProbe = { port: 'silent', memberAnswers: true };

test('ends the term of a leader whose process is gone, after two probes in a row', () => {
  assert.equal(judgeLeader([refused]).endTerm, false);
  assert.deepEqual(judgeLeader([refused, refused]), { endTerm: true, why: 'its API port refuses connections (the process is gone)' });
});

test('ends the term of a leader whose machine is unreachable', () => {
  assert.match(judgeLeader([paused, deadMachine, deadMachine]).why ?? '', /machine is down or cut off/);
});

test('never deposes a paused leader, or one whose API is slow while its etcd member answers', () => {
  assert.equal(judgeLeader([paused, paused, paused]).endTerm, false);
  assert.equal(judgeLeader([slowApi, slowApi, slowApi]).endTerm, false);
});

test('needs the failures in a row: one good probe in between resets the count', () => {
  assert.equal(judgeLeader([refused, paused, refused]).endTerm, false);
  assert.equal(judgeLeader([deadMachine, slowApi, deadMachine]).endTerm, false);
});
