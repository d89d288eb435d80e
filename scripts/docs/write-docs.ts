// `npm run docs`: writes the generated parts of the docs (see generated-docs.ts).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from './generated-docs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const [path, content] of Object.entries(generatedDocs(root))) {
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
