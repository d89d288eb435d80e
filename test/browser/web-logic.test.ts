// The web UI's pure pieces (no browser): formatting, the events list, action verdicts, and rights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterStatusView } from '../../src/contract/cluster.contract.ts';
import type { EventView } from '../../src/contract/event.contract.ts';
import type { HostView } from '../../src/contract/host.contract.ts';
import { availableActions } from '../../src/core/hosts/host.ts';
import { verdictOf } from '../../web/src/ui/action-verdict.ts';
import { formatAllocation, formatMiB, indicatorTitle, percent } from '../../web/src/ui/format.ts';
import { addEvent, MAX_EVENTS } from '../../web/src/state/store.ts';
import { noQuorumBannerText } from '../../web/src/ui/quorum.ts';
import { canRead, firstRefusal, rights } from '../../web/src/state/rights.ts';
import { BUILTIN_ROLES } from '../../src/contract/access.contract.ts';
import { firstGuestsPage, guestsPageNumber, guestsPagePath, hostsPage, nextGuestsPage, previousGuestsPage } from '../../web/src/state/list-paging.ts';

test('memory and allocations read as an admin expects', () => {
  assert.equal(formatMiB(512), '512 MiB');
  assert.equal(formatMiB(24064), '23.5 GiB');
  assert.equal(formatMiB(3 * 1024 * 1024), '3.0 TiB');
  assert.equal(formatAllocation(2, 8), '2 / 8');
  assert.equal(formatAllocation(1024, 2048, formatMiB), '1.0 GiB / 2.0 GiB');
  assert.equal(percent(0.456), '46%');
  assert.equal(percent(3), '100%');
  assert.equal(indicatorTitle('Storage', 'n/a'), 'Storage: not applicable');
  assert.equal(indicatorTitle('Connector', 'red'), 'Connector: failing');
});

const event = (seq: number): EventView => ({ seq, at: '2026-01-01T00:00:00Z', type: 'host.state', severity: 'info', subject: 'host:1', message: `e${seq}` });

test('events stay newest first, without duplicates, and bounded', () => {
  let events: EventView[] = [];
  for (const seq of [1, 3, 2, 3]) events = addEvent(events, event(seq));
  assert.deepEqual(
    events.map((e) => e.seq),
    [3, 2, 1],
  );
  for (let seq = 4; seq < MAX_EVENTS + 10; seq++) events = addEvent(events, event(seq));
  assert.equal(events.length, MAX_EVENTS);
  assert.equal(events[0]?.seq, MAX_EVENTS + 9);
});

function host(state: HostView['state'], updateAvailable: boolean): Pick<HostView, 'actions'> {
  const connector = { installed: updateAvailable ? '0.0.1' : '0.1.0', shipped: '0.1.0', older: updateAvailable };
  return { actions: availableActions({ name: 'proc1', purpose: 'processing', state, guestCount: 0, connector }) };
}

test('action verdicts: the state reason first, then "nothing to update" for the connector', () => {
  assert.deepEqual(verdictOf(host('UP', false), 'enable').allowed, false);
  assert.match(verdictOf(host('UP', false), 'remove').reason ?? '', /DISABLED or in MAINT/);
  assert.match(verdictOf(host('UP', true), 'update-connector').reason ?? '', /MAINT/);
  assert.equal(verdictOf(host('MAINT', true), 'update-connector').allowed, true);
  const upToDate = verdictOf(host('MAINT', false), 'update-connector');
  assert.equal(upToDate.allowed, false);
  assert.match(upToDate.reason ?? '', /already at version 0\.1\.0/);
  assert.equal(verdictOf(host('MAINT', false), 'edit-nic').allowed, true);
});

test('the no-quorum banner says how many controllers answer, and only without a majority', () => {
  const status = (has: boolean, reachable: number): ClusterStatusView => ({
    mode: 'cluster',
    store: 'etcd',
    me: 'ctl1',
    meLeading: false,
    leader: null,
    quorum: { has, reachable, total: 3, needs: 2 },
    leaseRemainingMs: 0,
    vip: null,
    controllers: [],
  });
  assert.equal(noQuorumBannerText(null), undefined);
  assert.equal(noQuorumBannerText(status(true, 2)), undefined);
  assert.match(noQuorumBannerText(status(false, 1)) ?? '', /^No quorum: 1 of 3 controllers reachable \(needs 2\)\. Changes are refused/);
});

test('rights: a GuestUser granted one VM may use it and read guests, nothing else; refusals name the right and path', () => {
  const roles = Object.fromEntries(Object.entries(BUILTIN_ROLES).map(([name, r]) => [name, { privileges: [...r.privileges] }]));
  rights.set(null);
  assert.deepEqual(rights.may('VM.Audit', '/guests/vm:100'), { allowed: false, reason: 'your rights are not known yet' });
  rights.set({ caller: { user: 'gus', groups: [] }, grants: [{ path: '/guests/vm:100', subject: 'user:gus', role: 'GuestUser', propagate: true }], roles });
  assert.equal(rights.may('VM.Console', '/guests/vm:100').allowed, true);
  assert.deepEqual(rights.may('VM.Console', '/guests/vm:101'), { allowed: false, reason: "you may not: user 'gus' lacks VM.Console on /guests/vm:101" });
  assert.equal(rights.mayUnder('VM.Audit', '/guests'), true, 'the guests list shows the part it may see');
  assert.deepEqual(
    Object.entries(canRead)
      .filter(([, may]) => may())
      .map(([what]) => what),
    ['guests'],
  );
  // A right is checked before the state of things.
  assert.deepEqual(firstRefusal(rights.may('Sys.Modify', '/hosts'), { allowed: false, reason: 'host is busy' }), {
    allowed: false,
    reason: "you may not: user 'gus' lacks Sys.Modify on /hosts",
  });
  assert.deepEqual(firstRefusal({ allowed: true }, { allowed: false, reason: 'host is busy' }), { allowed: false, reason: 'host is busy' });
  rights.set(null);
});

test('the guests pane pages with the cursors the controller gives, and a new filter starts over', () => {
  let p = firstGuestsPage();
  assert.equal(guestsPagePath(p), '/guests?limit=100');
  assert.equal(nextGuestsPage(p, null), p, 'no next page after the last');
  p = nextGuestsPage(p, 199);
  p = nextGuestsPage(p, 299);
  assert.equal(guestsPageNumber(p), 3);
  assert.equal(guestsPagePath(p), '/guests?limit=100&cursor=299');
  p = previousGuestsPage(p);
  assert.equal(guestsPagePath(p), '/guests?limit=100&cursor=199');
  const first = previousGuestsPage(p);
  assert.equal(previousGuestsPage(first), first, 'the first page has none before it');
  assert.equal(guestsPagePath(firstGuestsPage({ state: 'running', host: 'proc 1' })), '/guests?limit=100&state=running&host=proc+1');
});

test('the hosts list is filtered and cut in pages here; a page past the end shows the last', () => {
  const hosts = Array.from({ length: 250 }, (_, id) => ({
    id,
    state: id % 10 === 0 ? 'MAINT' : 'UP',
    purpose: id === 0 ? 'storage' : 'processing',
  })) as never[];
  const ids = (p: { items: readonly { id: number }[] }) => p.items.map((x) => x.id);
  const second = hostsPage(hosts, { page: 1 });
  assert.deepEqual([second.items.length, second.matching, second.page, second.pages, ids(second)[0]], [100, 250, 1, 3, 100]);
  const maint = hostsPage(hosts, { state: 'MAINT', page: 0 });
  assert.deepEqual([maint.matching, maint.pages, ids(maint).slice(0, 3)], [25, 1, [0, 10, 20]]);
  assert.deepEqual(ids(hostsPage(hosts, { state: 'MAINT', purpose: 'storage', page: 0 })), [0]);
  const past = hostsPage(hosts, { page: 9 });
  assert.deepEqual([past.page, ids(past)[0]], [2, 200]);
  const none = hostsPage(hosts, { state: 'EVACUATING', page: 3 });
  assert.deepEqual([none.matching, none.page, none.pages, none.items.length], [0, 0, 1, 0]);
});
