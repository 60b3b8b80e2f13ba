// Bundles src/main.ts into dist/main.js, which `npm start` runs (prestart calls this). One file of plain
// JavaScript loads ~30 MB lighter than compiling the TypeScript at start with tsx (bench "bot RSS" rows).
// node_modules stay external and load as usual; files read at run time are found from the project root
// (src/adapters/project-root.ts), so nothing is copied. `npm run revenant` and the tests still run src/ on tsx.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist');

const started = Date.now();
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/main.ts'],
  outfile: path.join(OUT, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // As tsconfig.json: the console's pages are hono/jsx.
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  // A linked file, not inline: `npm start` passes --enable-source-maps, so stack traces name src/ files and lines.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Written by us below, so a bot already running from dist/ never reads a half-written file.
  write: false,
});

mkdirSync(OUT, { recursive: true });
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
if (process.env.BUILD_QUIET !== '1') console.log(`built dist/main.js in ${Date.now() - started} ms`);
