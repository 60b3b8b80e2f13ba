import { describe, expect, it } from 'vitest';
import { buildGuidance } from '../../../src/guidance/guidance.builder';
import { acceptModelAnswer, buildGuidancePrompt, redactSecrets } from '../../../src/guidance/guidance.prompt';
import { context } from './guidance.fixtures';

describe('redactSecrets', () => {
  it('removes credential shapes and given values, keeping the rest', () => {
    const text = 'bot xoxb-1111-2222-abcdEF app xapp-1-A0-xyz123 key sk-proj-abcdefghijklmnop gh ghp_abcdefghijklmnopqrstuv Authorization: Bearer abc.def.ghi token=hunter2hunter2 custom s3cr3t-value';
    const out = redactSecrets(text, ['s3cr3t-value']);
    for (const secret of ['xoxb-', 'xapp-1', 'sk-proj', 'ghp_', 'abc.def.ghi', 'hunter2', 's3cr3t-value']) expect(out).not.toContain(secret);
    expect(out).toContain('token=[redacted]');
    expect(out).toContain('bot [redacted]');
  });

  it('never breaks JSON it runs over', () => {
    const json = JSON.stringify({ note: 'password: "abcdefgh", token=xyzxyzxyz' });
    expect(() => JSON.parse(redactSecrets(redactSecrets(json)))).not.toThrow();
  });
});

describe('buildGuidancePrompt', () => {
  it('carries incident context, runbook steps and related incidents, and no secrets', () => {
    const ctx = context({ description: 'Checkout slow. Pasted by mistake: xoxb-999-888-secretbot', timeline: ['note: connector token ctok_live_ABCDEF123456'] });
    const { system, user } = buildGuidancePrompt(ctx, ['ctok_live_ABCDEF123456']);
    expect(system).toContain('JSON');
    const data = JSON.parse(user);
    expect(data.incident).toMatchObject({ number: 42, title: 'Payments p99 latency high', service: 'payments' });
    expect(data.runbookSections.map((s: { section: string }) => s.section)).toContain('High latency');
    expect(data.relatedIncidents[0]).toMatchObject({ number: 12, actions: [{ text: 'Roll back payments to the previous release', done: true }, expect.anything()] });
    expect(user).not.toContain('xoxb-');
    expect(user).not.toContain('ctok_live_ABCDEF123456');
  });
});

describe('acceptModelAnswer', () => {
  const ctx = context();
  const fallback = buildGuidance(ctx);

  it('keeps runbook safety tags, checks citations and drops repeats', () => {
    const g = acceptModelAnswer(
      {
        actions: [
          { text: 'Flush the token cache', safety: 'safe', source: { kind: 'runbook', section: 'high latency' } },
          { text: 'Page the card processor', safety: 'safe', source: { kind: 'incident', number: 999 } },
          { text: 'Check the queue', safety: 'caution', source: { kind: 'runbook', section: 'Made up section' } },
          { text: 'flush the token cache.', safety: 'safe' },
          { text: 'Roll back payments', safety: 'caution', source: { kind: 'incident', number: 12 } },
        ],
        questions: [],
      },
      ctx,
      fallback,
    );
    expect(g?.generator).toBe('llm');
    expect(g?.actions).toEqual([
      { text: 'Flush the token cache', safety: 'dangerous', source: { kind: 'runbook', section: 'High latency', service: 'payments' } },
      { text: 'Page the card processor', safety: 'safe', source: { kind: 'model' } },
      { text: 'Check the queue', safety: 'caution', source: { kind: 'model' } },
      { text: 'Roll back payments', safety: 'caution', source: { kind: 'incident', number: 12 } },
    ]);
    expect(g?.questions).toEqual(fallback.questions);
    expect(g?.related).toEqual(ctx.related);
  });

  it('returns undefined when nothing new is left', () => {
    const c = context({ actions: [{ text: 'Do the thing' }] });
    expect(acceptModelAnswer({ actions: [{ text: 'do the thing', safety: 'safe' }], questions: ['q?'] }, c, fallback)).toBeUndefined();
  });
});
