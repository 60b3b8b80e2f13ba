import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-boundary rule of eslint.config.js, proved on fixtures. Each fixture names (first line,
 * `// lint-as: <path>`) where in the tree it pretends to live; it is linted as that path with the real config.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures/lint');

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.js') });
});

async function lintFixture(name: string): Promise<{ as: string; messages: Linter.LintMessage[] }> {
  const code = readFileSync(path.join(FIXTURES, name), 'utf8');
  const as = /^\/\/ lint-as: (\S+)/.exec(code)?.[1];
  if (!as) throw new Error(`${name} has no "// lint-as:" first line`);
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, as) });
  return { as, messages: result.messages };
}

const boundary = (messages: Linter.LintMessage[]) =>
  messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => ({ line: m.line, message: m.message }));

describe('lint: import boundaries', () => {
  it('refuses a domain file importing from src/adapters and src/app (imports and re-exports)', async () => {
    const { messages } = await lintFixture('domain-imports-adapter.ts');
    const hits = boundary(messages);
    expect(hits.map((h) => h.line)).toEqual([4, 5, 6]);
    for (const h of hits)
      expect(h.message).toMatch(/Domain code is pure: it imports nothing from src\/app or src\/adapters/);
    expect(hits[0].message).toContain("'../../adapters/db/event-store'");
    // A library import (kysely, line 3) is not the boundary rule's business.
    expect(messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
  });

  it('refuses an application service importing Slack/HTTP/GitHub clients and the Slack/OpenAI adapters', async () => {
    const { messages } = await lintFixture('app-imports-slack.ts');
    const hits = boundary(messages);
    expect(hits.map((h) => h.line)).toEqual([3, 4, 5, 6, 7]);
    const byLine = new Map(hits.map((h) => [h.line, h.message]));
    expect(byLine.get(3)).toMatch(/'@slack\/web-api'.*import no Slack\/HTTP\/OpenAI\/GitHub client/);
    expect(byLine.get(4)).toMatch(/'hono'.*import no Slack\/HTTP\/OpenAI\/GitHub client/);
    expect(byLine.get(5)).toMatch(
      /'\.\.\/adapters\/slack\/ids'.*do not import the Slack\/HTTP\/OpenAI\/GitHub adapters/,
    );
    expect(byLine.get(6)).toMatch(/'\.\.\/adapters\/openai\/postmortem-drafter'.*do not import the/);
    expect(byLine.get(7)).toMatch(/'@octokit\/rest'.*import no Slack/);
    // Line 8 (src/adapters/db) is allowed for now: repositories.
    expect(messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
  });

  it('passes a clean service (domain, shared, db repositories, a port) and a clean domain file', async () => {
    for (const name of ['clean.service.ts', 'clean-domain.ts']) {
      const { as, messages } = await lintFixture(name);
      expect({ as, messages }).toEqual({ as, messages: [] });
    }
  });

  it('the same violation outside the guarded folders is not refused (the rule is per folder)', async () => {
    const code = readFileSync(path.join(FIXTURES, 'app-imports-slack.ts'), 'utf8');
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'src/adapters/slack/boundary-ok.ts') });
    expect(boundary(result.messages)).toEqual([]);
  });

  it('keeps the fixtures out of the normal `npm run lint`', async () => {
    expect(await eslint.isPathIgnored(path.join(FIXTURES, 'domain-imports-adapter.ts'))).toBe(true);
    expect(await eslint.isPathIgnored(path.join(ROOT, 'src/incidents/incident.decider.ts'))).toBe(false);
  });
});
