import { truncate } from '../shared/text';
import type { Guidance, GuidanceAction, GuidanceContext, RunbookRef, RunbookSection } from './guidance.types';
import { searchTerms } from './related.scoring';
import { parseSafetyTag } from './runbook.parser';

export const DEFAULT_MAX_ACTIONS = 8;
export const DEFAULT_MAX_QUESTIONS = 6;
const MAX_ITEM_CHARS = 500;
/** Room kept for what worked in past incidents when the runbook alone could fill the list. */
const PAST_ACTION_SLOTS = 3;

export const WHAT_CHANGED = 'What changed in the last hour (deploys, config, feature flags)?';

const DIAGNOSIS = /diagnos|investigat|triage|symptom|check|verif|question/i;
const FIRST_RESPONSE = /mitigat|remediat|roll ?back|immediate|first (steps|response)|quick fix|recover|workaround|restore|escalat/i;
// Sections that describe rather than instruct.
const REFERENCE = /overview|background|contacts?|owners?|references?|links|about|glossary|architecture|dashboards?/i;

const normalise = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').replace(/[.!;:,\s]+$/, '').trim();
const clip = (s: string) => truncate(s, MAX_ITEM_CHARS);
const stem = (w: string) => w.replace(/(ing|ed|es|s)$/, '');

function overlap(terms: Set<string>, text: string): number {
  let n = 0;
  for (const t of new Set(searchTerms(text, 64).map(stem))) if (terms.has(t)) n++;
  return n;
}

/** Higher = more worth showing for this incident. Heading words that match signal or incident words count most. */
function relevance(section: RunbookSection, terms: Set<string>): number {
  if (REFERENCE.test(section.heading) && !FIRST_RESPONSE.test(section.heading)) return -1;
  let score = 3 * overlap(terms, section.heading) + Math.min(3, overlap(terms, section.steps.map((s) => s.text).join(' ')));
  if (FIRST_RESPONSE.test(section.heading)) score += 2;
  if (DIAGNOSIS.test(section.heading)) score += 1;
  return score;
}

const isQuestion = (s: string) => s.trim().endsWith('?');

/** Questions a runbook's diagnosis sections ask: question steps and question lines of the body. */
function runbookQuestions(runbooks: RunbookRef[]): string[] {
  const out: string[] = [];
  for (const { runbook } of runbooks) {
    for (const s of runbook.sections.filter((x) => DIAGNOSIS.test(x.heading))) {
      for (const step of s.steps) if (isQuestion(step.text)) out.push(step.text);
      for (const line of s.body.split('\n')) {
        const l = line.trim();
        if (isQuestion(l) && !/^([-*+]|\d+[.)])\s/.test(l) && !l.startsWith('#')) out.push(l);
      }
    }
  }
  return out;
}

/**
 * Deterministic guidance: runbook steps from the sections that best match the incident and its
 * signals, then actions from related past incidents, then diagnostic questions. Same input, same output.
 */
export function buildGuidance(ctx: GuidanceContext, opts: { maxActions?: number; maxQuestions?: number } = {}): Guidance {
  const maxActions = opts.maxActions ?? DEFAULT_MAX_ACTIONS;
  const maxQuestions = opts.maxQuestions ?? DEFAULT_MAX_QUESTIONS;
  const { incident } = ctx;
  const terms = new Set(
    searchTerms([incident.title, incident.description ?? '', ...incident.signals.map((s) => s.title)].join(' '), 64).map(stem),
  );
  const seen = new Set(incident.actions.map((a) => normalise(a.text)));
  const actions: GuidanceAction[] = [];
  const push = (a: GuidanceAction) => {
    const key = normalise(a.text);
    if (!key || seen.has(key)) return false;
    seen.add(key);
    actions.push({ ...a, text: clip(a.text) });
    return true;
  };

  // Runbook steps, best sections first; document order breaks ties.
  const ranked = ctx.runbooks
    .flatMap((ref, r) => ref.runbook.sections.map((section, i) => ({ ref, section, order: r * 1000 + i, score: relevance(section, terms) })))
    .filter((x) => x.section.steps.some((s) => !isQuestion(s.text)) && x.score >= 0);
  const matching = ranked.filter((x) => x.score > 0);
  const chosen = (matching.length ? matching : ranked).sort((a, b) => b.score - a.score || a.order - b.order);
  const steps = chosen.flatMap(({ ref, section }) =>
    section.steps
      .filter((step) => !isQuestion(step.text))
      .map((step): GuidanceAction => ({ text: step.text, safety: step.safety, source: { kind: 'runbook', section: section.heading, service: ref.service } })),
  );
  const past = ctx.pastActions.map((p): GuidanceAction => {
    const { text, safety } = parseSafetyTag(p.text);
    return { text, safety, source: { kind: 'incident', number: p.incidentNumber } };
  });
  const stepKeys = new Set(steps.map((a) => normalise(a.text)));
  const pastNew = past.filter((a) => !seen.has(normalise(a.text)) && !stepKeys.has(normalise(a.text)));
  const runbookCap = maxActions - Math.min(PAST_ACTION_SLOTS, pastNew.length);
  let next = 0;
  for (; next < steps.length && actions.length < runbookCap; next++) push(steps[next]);
  for (const a of past) if (actions.length < maxActions) push(a);
  // Past incidents had less to offer than the room kept for them: give it back to the runbook.
  for (; next < steps.length && actions.length < maxActions; next++) push(steps[next]);

  const where = incident.service ? `${incident.service}${incident.environment ? ` in ${incident.environment}` : ''}` : undefined;
  const top = ctx.related[0];
  const questions = [
    WHAT_CHANGED,
    ...runbookQuestions(ctx.runbooks).slice(0, 3),
    top ? `Does this look like INC-${top.number} (${top.title})? What resolved it then?` : undefined,
    where ? `Is the impact limited to ${where}, or are other services or regions affected?` : 'Which services and environments are affected?',
    'When exactly did it start, and does that line up with a deploy, a traffic change or a dependency outage?',
    'How many users or customers are affected, and is it getting better or worse?',
  ];
  const uniqueQuestions: string[] = [];
  for (const q of questions) {
    if (q && !uniqueQuestions.some((u) => normalise(u) === normalise(q))) uniqueQuestions.push(clip(q));
  }

  return { generator: 'deterministic', actions, questions: uniqueQuestions.slice(0, maxQuestions), related: ctx.related };
}
