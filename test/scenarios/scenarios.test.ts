// Golden scenarios: each directory holds cluster.json, script.txt and expected.log. The simulator
// replays the script and its log must match expected.log line for line; no invariant may break.
// UPDATE_GOLDEN=1 rewrites expected.log (read the new log before committing it).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simulate } from '../../src/sim/simulate.ts';

const root = dirname(fileURLToPath(import.meta.url));
const scenarios = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'cluster.json')))
  .map((d) => d.name)
  .sort();

test('there are golden scenarios', () => {
  assert.ok(scenarios.length >= 11, `found only ${scenarios.length}`);
});

for (const name of scenarios) {
  test(`scenario ${name}`, () => {
    const dir = join(root, name);
    const cluster: unknown = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
    const result = simulate(cluster, readFileSync(join(dir, 'script.txt'), 'utf8'));
    assert.deepEqual(result.violations, [], 'an invariant broke');
    const log = `${result.lines.join('\n')}\n`;
    const expectedFile = join(dir, 'expected.log');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, log);
    assert.ok(existsSync(expectedFile), `${name}/expected.log is missing: run with UPDATE_GOLDEN=1 and read it`);
    assert.equal(log, readFileSync(expectedFile, 'utf8'));
  });
}
