// What the controller answers outside /api: the web UI's built files (web/dist) when present — any
// unknown path gets index.html, as single-page apps expect — or else a small page pointing at the API.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly type: string;
  readonly content: Buffer | string;
}

export const LANDING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grappe</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Grappe controller</h1>
<p>The web interface is not built on this controller. The REST API is at <code>/api/v1</code>;
its description is the OpenAPI document <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<p>From a shell: <code>npx grappe --help</code>.</p>
</body></html>
`;

/** The file for a URL path, or undefined when `root` has no UI; never a file outside `root`. */
export async function staticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  if (!existsSync(join(root, 'index.html'))) return urlPath === '/' ? { type: TYPES['.html']!, content: LANDING_PAGE } : undefined;
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(urlPath.split('?')[0] ?? '/')).replace(/^[/\\]+/, '');
  } catch {
    return undefined; // undecodable path
  }
  const file = join(root, relative);
  const inside = file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
  const chosen = inside && relative !== '' && isFile(file) ? file : join(root, 'index.html');
  return { type: TYPES[extname(chosen)] ?? 'application/octet-stream', content: await readFile(chosen) };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
