import fc from 'fast-check';
import { expect } from 'vitest';
import { isDomainError } from '../../src/shared/domain-error';

/** Runs per property: 200 in `npm test`; `FUZZ_RUNS=<n>` for a longer hunt (e.g. FUZZ_RUNS=20000). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || 200);
/** fast-check options: bounded runs; FUZZ_SEED=<n> replays a reported failure. */
export const fuzzOptions = (runs = FUZZ_RUNS): fc.Parameters<unknown> => ({
  numRuns: runs,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
});

/** The only refusal outside input may cause: a typed DomainError('invalid_input'). Anything else fails the property. */
export function refusedAsInvalidInput(e: unknown): true {
  if (isDomainError(e) && e.code === 'invalid_input') return true;
  throw new Error(
    `threw something other than DomainError('invalid_input'): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    { cause: e },
  );
}

/** Calls `fn`; returns its result, or undefined when it refused with invalid_input. */
export function acceptOrRefuse<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    refusedAsInvalidInput(e);
    return undefined;
  }
}

/**
 * Text built to hurt: Slack control sequences (broadcasts, group mentions, disguised links, entities),
 * zero-width and bidi characters, control characters, emoji (surrogate pairs), long runs.
 */
const NASTY_PIECES = [
  '<!everyone>',
  '<!channel>',
  '<!here>',
  '<!subteam^S123|@oncall>',
  '<http://evil.example/login|Click>',
  '<mailto:a@b.c|mail>',
  '<@U0001>',
  '<@U0002|bob>',
  '<#C0001|ops>',
  '<!date^1|x>',
  '&',
  '&amp;',
  '&lt;',
  '<',
  '>',
  '|',
  '*',
  '_',
  '~',
  '`',
  '```',
  '\u200B',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u202E',
  '\u2066',
  '\u0000',
  '\u0007',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '😀',
  '👩‍👩‍👧',
  'é',
  'Ω',
  '%',
  '100%',
  '0.5',
  '1e400',
  '-1',
  'NaN',
  '$ALERT_ID',
  '{{value}}',
  '# heading',
  '- [safe] step',
  '[dangerous]',
];
export const nastyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...NASTY_PIECES) },
        { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }) },
        { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
      ),
      { maxLength },
    )
    .map((parts) => parts.join(''));

/** Occasionally very long text (up to 12 K characters), to cross every Slack limit. */
export const sometimesHuge = (inner: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: inner },
    {
      weight: 1,
      arbitrary: fc
        .tuple(inner, fc.integer({ min: 1, max: 12_000 }))
        .map(([s, n]) => (s || 'x').repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)),
    },
  );

/** Property wrapper that prints the counterexample in the failure. */
export function check<Ts extends [unknown, ...unknown[]]>(
  arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => void,
  runs = FUZZ_RUNS,
): void {
  const result = fc.check(
    fc.property(...(arbs as unknown as [fc.Arbitrary<unknown>]), predicate as (...a: unknown[]) => void),
    fuzzOptions(runs),
  );
  if (result.failed) expect.fail(fc.defaultReportMessage(result) ?? 'property failed');
}
