// Lint: the rules that catch what review kept finding, not a style guide (Prettier formats).
//   no-floating-promises   an un-awaited promise loses its error (and its ordering)
//   import-x/no-cycle      modules form layers, never loops
//   boundaries             which part may import which (docs/architecture.md):
//                          core → nothing of ours; contract → core; store → core; sim → core;
//                          agent → contract, pki, streams, process; cli → contract (and controller/main to start it);
//                          controller → core, contract, store, pki, streams, sim; web → contract
//   clock                  src/core and the HA loop read time only from the injected clock
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const zone = (target, from, message) => ({ target, from, message });
const PARTS = ['core', 'contract', 'store', 'sim', 'agent', 'cli', 'controller', 'pki', 'streams', 'process'];
const except = (...allowed) => PARTS.filter((p) => !allowed.includes(p)).map((p) => `./src/${p}`);

const boundaries = [
  zone('./src/core', except('core'), 'src/core is pure: it imports nothing of the project but itself'),
  zone('./src/contract', except('contract', 'core'), 'src/contract imports only zod and src/core'),
  zone('./src/store', except('store', 'core'), 'src/store imports only src/core'),
  zone('./src/sim', except('sim', 'core'), 'src/sim imports only src/core'),
  zone('./src/pki', except('pki'), 'src/pki is a leaf library'),
  zone('./src/streams', except('streams'), 'src/streams is a leaf library'),
  zone('./src/process', except('process'), 'src/process is a leaf library'),
  zone('./src/agent', except('agent', 'contract', 'pki', 'streams', 'process'), 'the agent talks to the rest only through src/contract'),
  zone('./src/cli', except('cli', 'contract', 'controller'), 'the CLI speaks the contract (it may start the controller)'),
  zone('./src/controller', except('controller', 'core', 'contract', 'store', 'pki', 'streams', 'process', 'sim'), 'the controller never imports agent code'),
  zone('./web/src', except('contract'), 'the web UI speaks the contract only'),
  zone('./src', ['./test', './bench', './scripts'], 'production code never imports tests, benches or scripts'),
];

const readsClock = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'read time from the injected clock (ctx.clock / env), not Date.now()',
  },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'read time from the injected clock, not new Date()' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test tracks the promises its test()/describe() return.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: boundaries }],
    },
  },
  {
    // Test code may reach anything it tests.
    files: ['**/*.test.ts', 'src/**/testing/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/controller/ha/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...readsClock] },
  },
);
