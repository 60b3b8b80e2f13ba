import { describe, expect, it } from 'vitest';
import { WHAT_CHANGED, buildGuidance } from '../../../src/guidance/guidance.builder';
import { parseRunbook } from '../../../src/guidance/runbook.parser';
import { context, payments } from './guidance.fixtures';

describe('buildGuidance', () => {
  it('puts steps of the section matching the signal first, with safety and source', () => {
    const g = buildGuidance(context());
    expect(g.generator).toBe('deterministic');
    expect(g.actions[0]).toEqual({
      text: 'Scale the payments deployment to 12 replicas',
      safety: 'caution',
      source: { kind: 'runbook', section: 'High latency', service: 'payments' },
    });
    expect(g.actions[1]).toMatchObject({ text: 'Flush the token cache', safety: 'dangerous' });
  });

  it('adds actions from related incidents without repeating runbook steps', () => {
    const g = buildGuidance(context());
    const fromIncidents = g.actions.filter((a) => a.source.kind === 'incident');
    expect(fromIncidents).toEqual([{ text: 'Roll back payments to the previous release', safety: 'unknown', source: { kind: 'incident', number: 12 } }]);
    expect(g.actions.filter((a) => a.text.startsWith('Scale the payments'))).toHaveLength(1);
  });

  it('never suggests actions already on the incident, nor reference sections', () => {
    const g = buildGuidance(context({ actions: [{ text: 'scale the payments deployment to 12 replicas.' }] }));
    expect(g.actions.some((a) => a.text.startsWith('Scale the payments'))).toBe(false);
    expect(g.actions.some((a) => a.source.kind === 'runbook' && a.source.section === 'Contacts')).toBe(false);
  });

  it('asks what changed first, then runbook diagnosis questions, then about the related incident', () => {
    const g = buildGuidance(context());
    expect(g.questions[0]).toBe(WHAT_CHANGED);
    expect(g.questions).toContain('Is the error rate up on every region or one?');
    expect(g.questions).toContain('Did the card processor post an incident?');
    expect(g.questions).toContain('Does this look like INC-12 (Payments latency after deploy)? What resolved it then?');
    expect(g.questions.length).toBeLessThanOrEqual(6);
    // Question steps are asked, not listed as actions.
    expect(g.actions.some((a) => a.text.endsWith('?'))).toBe(false);
  });

  it('respects maxActions and is deterministic', () => {
    const a = buildGuidance(context(), { maxActions: 3 });
    const b = buildGuidance(context(), { maxActions: 3 });
    expect(a.actions).toHaveLength(3);
    expect(a).toEqual(b);
  });

  it('falls back to every instructive section when nothing matches', () => {
    const rb = parseRunbook('# Svc\n## Steps\n- [safe] Look at the logs\n## Links\n- https://wiki');
    const ctx = { ...context({ title: 'Something odd', signals: [] }), runbooks: [{ service: 'svc', runbook: rb }], related: [], pastActions: [] };
    const g = buildGuidance(ctx);
    expect(g.actions).toEqual([{ text: 'Look at the logs', safety: 'safe', source: { kind: 'runbook', section: 'Steps', service: 'svc' } }]);
    expect(g.questions[0]).toBe(WHAT_CHANGED);
  });

  it('works with no runbook and no history', () => {
    const g = buildGuidance({ ...context({ service: undefined, environment: undefined }), runbooks: [], related: [], pastActions: [] });
    expect(g.actions).toEqual([]);
    expect(g.questions).toContain('Which services and environments are affected?');
    expect(g.related).toEqual([]);
  });

  it('prefers the database section for database signals', () => {
    const ctx = context({ title: 'Payments errors', signals: [{ title: 'Database connection errors', service: 'payments', environment: 'prod' }] });
    const g = buildGuidance({ ...ctx, runbooks: [{ service: 'payments', runbook: payments }] });
    expect(g.actions[0]).toMatchObject({ text: 'Check pgbouncer pool saturation', source: { section: 'Database connection errors' } });
  });
});
