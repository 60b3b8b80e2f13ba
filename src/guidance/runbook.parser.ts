import type { Runbook, RunbookSection, RunbookStep, Safety } from './guidance.types';

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const TASK_BOX = /^\[[ xX]\][ \t]+/;
// A tag may be wrapped in emphasis or code (`**[dangerous]**`, `` `[safe]` ``) and sit at either end.
const TAG_AT_START = /^[*_`]{0,2}\[(safe|caution|dangerous)\][*_`]{0,2}[ \t:,-]*/i;
const TAG_AT_END = /[ \t:,-]*[*_`]{0,2}\[(safe|caution|dangerous)\][*_`]{0,2}$/i;

const SEVERITY: Record<Safety, number> = { unknown: 0, safe: 1, caution: 2, dangerous: 3 };

/** When a step carries two tags, the more cautious one wins: a wrong "safe" costs more than a wrong "dangerous". */
const stricter = (a: Safety, b: Safety): Safety => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** Strips safety tags from the start and end of a step; untagged steps are `unknown`. */
export function parseSafetyTag(raw: string): RunbookStep {
  let text = raw.trim();
  let safety: Safety = 'unknown';
  for (let guard = 0; guard < 4; guard++) {
    const start = TAG_AT_START.exec(text);
    const end = start ? null : TAG_AT_END.exec(text);
    const m = start ?? end;
    if (!m) break;
    safety = stricter(safety, m[1].toLowerCase() as Safety);
    text = (start ? text.slice(m[0].length) : text.slice(0, m.index)).trim();
  }
  return { text, safety };
}

interface Draft {
  heading: string;
  level: number;
  lines: string[];
  steps: RunbookStep[];
}

/**
 * Markdown runbook → title and sections. Headings start sections (the first `#` heading is the
 * title); list items are steps; headings and list markers inside fenced code are ignored.
 */
export function parseRunbook(markdown: string, fallbackTitle = 'Runbook'): Runbook {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let title: string | undefined;
  const drafts: Draft[] = [];
  let current: Draft = { heading: '', level: 0, lines: [], steps: [] };
  let fence: string | undefined;
  let openStep: { parts: string[] } | undefined;

  const closeStep = () => {
    if (!openStep) return;
    const step = parseSafetyTag(openStep.parts.join(' '));
    if (step.text) current.steps.push(step);
    openStep = undefined;
  };

  for (const line of lines) {
    if (fence) {
      current.lines.push(line);
      if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      closeStep();
      fence = fenceMatch[1];
      current.lines.push(line);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      closeStep();
      const level = heading[1].length;
      const text = (heading[2] ?? '').trim();
      if (level === 1 && title === undefined) {
        title = text;
        // Text between the title and the first subheading becomes a section named after the title.
        current.heading = text;
        current.level = 1;
        continue;
      }
      drafts.push(current);
      current = { heading: text, level, lines: [], steps: [] };
      continue;
    }
    current.lines.push(line);
    const item = LIST_ITEM.exec(line);
    if (item) {
      closeStep();
      openStep = { parts: [item[1].replace(TASK_BOX, '')] };
      continue;
    }
    if (!line.trim()) {
      closeStep();
      continue;
    }
    // A non-blank line right after a list item continues that step (lazy continuation, as in CommonMark).
    if (openStep) openStep.parts.push(line.trim());
  }
  closeStep();
  drafts.push(current);

  const sections: RunbookSection[] = drafts
    .map((d) => ({ heading: d.heading || title || fallbackTitle, level: d.level, steps: d.steps, body: d.lines.join('\n').trim() }))
    .filter((s, i) => i > 0 || s.body.length > 0);
  return { title: title || fallbackTitle, sections };
}
