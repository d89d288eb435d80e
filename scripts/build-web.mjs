// Builds the web UI into web/dist: app.js (web/src/main.ts bundled by esbuild), index.html, styles.css.
// Deliberate choice: no UI framework — plain TypeScript and the DOM, bundled by esbuild, which the
// project already uses for its own bundles. The UI is a handful of panes and dialogs; a framework
// would add a dependency and a build chain for little gain, and nothing here may come from a CDN.
// Options: --out DIR (default web/dist).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
// strict: false: imported by build.mjs, whose own options are on the same command line.
const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: false });
const out = typeof values.out === 'string' ? values.out : join(repo, 'web/dist');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(repo, 'web/src/main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) copyFileSync(join(repo, 'web/src', file), join(out, file));
