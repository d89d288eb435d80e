// The HA transition table against the golden scenarios: every state change the scenarios log is a
// row of the table, and every row of the table happens in at least one scenario (a row no scenario
// reaches is either dead or untested; add a scenario for it).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GUEST_TRANSITIONS, HOST_TRANSITIONS } from '../../src/core/ha/ha-transitions.ts';

const here = dirname(fileURLToPath(import.meta.url));
const LINE = /\b(host|guest) '[^']+': state changed from '([a-z-]+)' to '([a-z-]+)'(?: \([^)]*\))? \(([a-z-]+)\)$/;

function loggedTransitions(): Map<string, string[]> {
  const seen = new Map<string, string[]>(); // "host online -heartbeat-lost-> lost" → scenarios
  for (const name of readdirSync(here)) {
    const dir = join(here, name);
    if (!statSync(dir).isDirectory()) continue;
    for (const line of readFileSync(join(dir, 'expected.log'), 'utf8').split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const key = `${m[1]} ${m[2]} -${m[4]}-> ${m[3]}`;
      seen.set(key, [...(seen.get(key) ?? []), name]);
    }
  }
  return seen;
}

const rows = [...HOST_TRANSITIONS.map((t) => `host ${t.from} -${t.event}-> ${t.to}`), ...GUEST_TRANSITIONS.map((t) => `guest ${t.from} -${t.event}-> ${t.to}`)];

test('every state change in the golden scenarios is a row of the HA transition table', () => {
  const seen = loggedTransitions();
  assert.ok(seen.size > 0, 'the golden logs name no state change: has the log format changed?');
  const outside = [...seen.keys()].filter((k) => !rows.includes(k));
  assert.deepEqual(outside, [], `logged transitions that are not in src/core/ha/ha-transitions.ts: ${outside.join('; ')}`);
});

test('every row of the HA transition table happens in some golden scenario', () => {
  const seen = loggedTransitions();
  const unexercised = rows.filter((r) => !seen.has(r));
  assert.deepEqual(unexercised, [], `rows no scenario reaches: ${unexercised.join('; ')}`);
});

test('the table has no duplicate rows', () => {
  assert.equal(new Set(rows).size, rows.length);
});
