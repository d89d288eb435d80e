import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { configPath, DEFAULT_URL, loadConfig, resolveConnection, saveConfig } from './config.ts';
import { CliError } from './cli-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'grappe-cli-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('config path: $GRAPPE_CONFIG, then XDG, then ~/.config', () => {
  assert.equal(configPath({ GRAPPE_CONFIG: '/x/c.json', HOME: '/home/a' }), '/x/c.json');
  assert.equal(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' }), '/xdg/grappe/cli.json');
  assert.equal(configPath({ HOME: '/home/a' }), '/home/a/.config/grappe/cli.json');
});

test('save then load round-trips, the file is 0600 and its new directory 0700', () => {
  const path = join(dir, 'nested', 'cli.json');
  saveConfig(path, { url: 'https://127.0.0.1:9443', token: 't', caCertPem: 'pem' });
  assert.deepEqual(loadConfig(path), { url: 'https://127.0.0.1:9443', token: 't', caCertPem: 'pem' });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'nested')).mode & 0o777, 0o700);
  saveConfig(path, { url: 'https://h' });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { url: 'https://h' });
});

test('a missing file is an empty config; a damaged one is a clear error', () => {
  assert.deepEqual(loadConfig(join(dir, 'none.json')), {});
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{not json');
  assert.throws(
    () => loadConfig(bad),
    (e: unknown) => e instanceof CliError && /cannot read the CLI config/.test(e.message),
  );
  writeFileSync(bad, '{"url": 3}');
  assert.throws(() => loadConfig(bad), /is not valid/);
});

test('environment overrides the file; the local CA is the fallback', () => {
  const file = { url: 'https://file:1', token: 'file-token' };
  assert.deepEqual(
    resolveConnection(file, {}, () => 'local-ca'),
    { url: 'https://file:1', token: 'file-token', caCertPem: 'local-ca' },
  );
  assert.deepEqual(
    resolveConnection(file, { GRAPPE_URL: 'https://env:2', GRAPPE_TOKEN: 'env-token' }, () => undefined),
    {
      url: 'https://env:2',
      token: 'env-token',
      caCertPem: undefined,
    },
  );
  assert.equal(resolveConnection({}, {}, () => undefined).url, DEFAULT_URL);
  assert.equal(resolveConnection({ caCertPem: 'saved' }, {}, () => 'local').caCertPem, 'saved');
});
