// Builds what Grappe runs from:
//   dist/grappe.mjs        the CLI, which also starts the controller (npm packages stay external)
//   dist/grappe-agent.mjs  the agent ("connector"): one self-contained file, pushed to hosts as is
//   web/dist/              the web UI the controller serves at /
// Options: --agent-version V --agent-out PATH builds an agent that reports version V (used by tests
// and the demo to stand up an older connector that the controller then updates); --version V
// --out-dir DIR builds both bundles as version V into DIR (the .deb packages: scripts/package-deb.sh).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'agent-version': { type: 'string' },
    'agent-out': { type: 'string' },
    'agent-only': { type: 'boolean' },
    version: { type: 'string' },
    'out-dir': { type: 'string' },
  },
});
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const version = values.version ?? pkg.version;
const agentVersion = values['agent-version'] ?? version;
const outDir = values['out-dir'] ?? 'dist';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' };
// esbuild's ESM output needs `require` for the CommonJS packages it inlines.
const banner = { js: "import { createRequire as __grappeCreateRequire } from 'node:module'; const require = __grappeCreateRequire(import.meta.url);" };

await build({
  ...common,
  banner,
  entryPoints: ['src/agent/main.ts'],
  outfile: values['agent-out'] ?? `${outDir}/grappe-agent.mjs`,
  // No source map: this one file is what "update connector" pushes to every host.
  sourcemap: false,
  define: { __GRAPPE_AGENT_VERSION__: JSON.stringify(agentVersion) },
});
if (!values['agent-only']) {
  await import('./build-web.mjs'); // the web UI, into web/dist
  await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: `${outDir}/grappe.mjs`,
    packages: 'external',
    sourcemap: 'inline',
    define: { __GRAPPE_AGENT_VERSION__: JSON.stringify(version) },
  });
}
