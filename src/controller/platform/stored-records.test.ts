// Stored records: written with their version after a schema check, read back through the migrations
// and parsed; damaged or too-new records are clear errors naming the record. Then one test per real
// migration of a record kind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { DEFAULT_HA_CONFIG, DEFAULT_HA_TIMING } from '../../contract/ha.contract.ts';
import { isGrappeError } from '../../core/errors.ts';
import { HA_CONFIG_RECORD } from '../ha/ha-config-store.ts';
import { HOST_RECORD, REASON_BEFORE_REASONS } from '../hosts/host-record.ts';
import { DEFAULT_SCHEDULER_SETTINGS, SCHEDULER_SETTINGS_RECORD } from '../scheduling/scheduler-settings.ts';
import { hostFixture } from '../../../test/support/ha-fixtures.ts';
import { defineRecordKind, readRecord, storedValue, VERSION_FIELD } from './stored-records.ts';

interface Widget {
  readonly name: string;
  readonly size: number;
  readonly colour?: string | undefined;
}
const WIDGET = defineRecordKind<Widget>({
  name: 'widget',
  version: 3,
  schema: z.object({ name: z.string(), size: z.number().int(), colour: z.string().optional() }),
  migrations: {
    1: (old) => ({ ...old, size: Number(old['size'] ?? 0) }), // v1 kept the size as text
    2: (old) => ({ name: old['label'] ?? old['name'], size: old['size'] }), // v2 called the name 'label'
  },
});

const refusedWith =
  (code: string, pattern: RegExp) =>
  (e: unknown): boolean =>
    isGrappeError(e) && e.code === code && pattern.test(e.message);

test('a record is stored with its version, without undefined fields, and reads back as it was', () => {
  const stored = storedValue(WIDGET, { name: 'w', size: 3, colour: undefined });
  assert.deepEqual(stored, { name: 'w', size: 3, [VERSION_FIELD]: 3 });
  assert.deepEqual(readRecord(WIDGET, '/widgets/w', stored), { name: 'w', size: 3 });
});

test('old versions migrate on read, one step at a time; a record without a version is version 1', () => {
  assert.deepEqual(readRecord(WIDGET, '/widgets/a', { label: 'a', size: '7' }), { name: 'a', size: 7 });
  assert.deepEqual(readRecord(WIDGET, '/widgets/b', { label: 'b', size: 8, [VERSION_FIELD]: 2 }), { name: 'b', size: 8 });
});

test('a damaged record is a corruptRecord error naming the key, the kind and what is wrong', () => {
  assert.throws(
    () => readRecord(WIDGET, '/widgets/x', { name: 'x', size: 'big', [VERSION_FIELD]: 3 }),
    refusedWith('corruptRecord', /'\/widgets\/x' \(widget\) is damaged: size: /),
  );
  assert.throws(() => readRecord(WIDGET, '/widgets/y', [1, 2]), refusedWith('corruptRecord', /is an array, not an object/));
  assert.throws(() => readRecord(WIDGET, '/widgets/z', { name: 'z', size: 1, [VERSION_FIELD]: 'two' }), refusedWith('corruptRecord', /"two" is not a version/));
  try {
    readRecord(WIDGET, '/widgets/x', { name: 'x', size: 'big', [VERSION_FIELD]: 3 });
  } catch (e) {
    assert.ok(isGrappeError(e));
    assert.equal(e.kind, 'internal');
    assert.deepEqual(e.details['key'], '/widgets/x');
    assert.deepEqual(e.details['kind'], 'widget');
  }
});

test('a record written by a newer Grappe is refused as too new, not misread', () => {
  assert.throws(
    () => readRecord(WIDGET, '/widgets/n', { name: 'n', size: 1, [VERSION_FIELD]: 4 }),
    refusedWith('recordTooNew', /version 4, newer than this Grappe's 3/),
  );
});

test('an invalid record is never written', () => {
  assert.throws(() => storedValue(WIDGET, { name: 'w', size: 1.5 }), refusedWith('internal', /refused to store an invalid widget record: size/));
});

test('a kind without a migration for each older version is refused at definition', () => {
  assert.throws(
    () => defineRecordKind<Widget>({ name: 'gappy', version: 2, schema: z.object({ name: z.string(), size: z.number() }), migrations: {} }),
    /no migration from version 1 to 2/,
  );
});

test('migration host v1 → v2: every red indicator gets a reason saying it predates reasons', () => {
  const { indicators: _drop, ...rest } = hostFixture(3, 'p3');
  const v1 = { ...rest, indicators: { connection: 'green', connector: 'red', storage: 'red', reasons: { storage: 'pool x: unreachable' } } };
  const host = readRecord(HOST_RECORD, '/hosts/000003', v1);
  assert.deepEqual(host.indicators.reasons, { connector: REASON_BEFORE_REASONS, storage: 'pool x: unreachable' });
  const green = readRecord(HOST_RECORD, '/hosts/000003', { ...rest, indicators: { connection: 'green', connector: 'green', storage: 'n/a' } });
  assert.equal(green.indicators.reasons, undefined);
});

test('migration HA configuration v1 → v2: fields added since take their defaults, stored ones are kept', () => {
  const cfg = readRecord(HA_CONFIG_RECORD, '/ha/config', { enabled: true, heartbeatVolume: 'hb', timing: { netTimeoutMs: 4000 } });
  assert.equal(cfg.enabled, true);
  assert.equal(cfg.heartbeatVolume, 'hb');
  assert.deepEqual(cfg.timing, { ...DEFAULT_HA_TIMING, netTimeoutMs: 4000 });
  assert.equal(cfg.failuresToTolerate, DEFAULT_HA_CONFIG.failuresToTolerate);
});

test('migration scheduler settings v1 → v2: what validates is kept, the rest takes its default', () => {
  const s = readRecord(SCHEDULER_SETTINGS_RECORD, '/settings/scheduler', { policy: 'pack', cpuRatio: -3 });
  assert.deepEqual(s, { ...DEFAULT_SCHEDULER_SETTINGS, policy: 'pack' });
});
