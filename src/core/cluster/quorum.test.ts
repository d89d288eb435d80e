import assert from 'node:assert/strict';
import { test } from 'node:test';
import { majorityOf, noQuorumMessage, quorumOf, raftLeaderHandOff, removalKeepsQuorum, type MemberStatus } from './quorum.ts';

const member = (name: string, reachable: boolean, hasRaftLeader = reachable): MemberStatus => ({
  id: name,
  name,
  clientUrl: `http://${name}`,
  reachable,
  hasRaftLeader,
});

test('a majority of answering members, one of which sees a raft leader, is quorum', () => {
  assert.equal(majorityOf(1), 1);
  assert.equal(majorityOf(3), 2);
  assert.equal(majorityOf(4), 3);
  assert.equal(majorityOf(5), 3);
  assert.deepEqual(quorumOf([member('a', true), member('b', true), member('c', false)]), { reachable: 2, total: 3, needs: 2, hasQuorum: true });
  // Two members up but neither sees a leader (an election running, or cut off together): no quorum yet.
  assert.equal(quorumOf([member('a', true, false), member('b', true, false), member('c', false)]).hasQuorum, false);
  assert.deepEqual(quorumOf([member('a', true, false), member('b', false), member('c', false)]), { reachable: 1, total: 3, needs: 2, hasQuorum: false });
  assert.equal(quorumOf([]).hasQuorum, false);
});

test('the refusal names how many controllers are reachable and how many a majority needs', () => {
  assert.equal(
    noQuorumMessage({ reachable: 1, total: 3, needs: 2, hasQuorum: false }),
    'no quorum: 1 of 3 controllers reachable (needs 2); no change is made without a majority',
  );
});

test('removing a controller: never the last, never one that leaves the others without a majority', () => {
  assert.deepEqual(removalKeepsQuorum([member('a', true)], 'a'), { ok: false, why: 'it is the last controller of the cluster' });
  assert.equal(removalKeepsQuorum([member('a', true), member('b', true), member('c', true)], 'c').ok, true);
  // c is down: removing b leaves a and c, of which only a answers: 1 of 2, a majority needs 2.
  const verdict = removalKeepsQuorum([member('a', true), member('b', true), member('c', false)], 'b');
  assert.equal(verdict.ok, false);
  assert.match(verdict.why ?? '', /1 reachable of 2, fewer than the 2 a majority needs/);
  // Removing the dead one is fine.
  assert.equal(removalKeepsQuorum([member('a', true), member('b', true), member('c', false)], 'c').ok, true);
});

test('the leading controller hands raft leadership to the reachable member that applied the most', () => {
  const leaderHere: MemberStatus = { ...member('a', true), isRaftLeader: true, raftAppliedIndex: 50 };
  const b: MemberStatus = { ...member('b', true), raftAppliedIndex: 48 };
  const c: MemberStatus = { ...member('c', true), raftAppliedIndex: 49 };
  assert.equal(raftLeaderHandOff([leaderHere, b, c], 'a')?.name, 'c');
  assert.equal(raftLeaderHandOff([leaderHere, b, { ...c, reachable: false }], 'a')?.name, 'b');
  assert.equal(raftLeaderHandOff([leaderHere, { ...b, reachable: false }, { ...c, reachable: false }], 'a'), undefined);
  assert.equal(raftLeaderHandOff([{ ...leaderHere, isRaftLeader: false }, b, c], 'a'), undefined, 'not the raft leader: nothing to hand off');
});
