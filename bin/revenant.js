#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx revenant …` needs no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

register();
const { runCli } = await import(path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts'));
process.exit(await runCli(process.argv.slice(2)));
