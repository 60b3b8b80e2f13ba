import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding package.json. Files read at run time (console and sandbox assets, migrations/) are
 * found from here rather than from `import.meta.url`, because the same code runs from src/ (tsx, vitest)
 * and from the bundle in dist/ (`npm start`), which sit at different depths.
 */
export function projectRoot(): string {
  if (cached) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
