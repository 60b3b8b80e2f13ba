import { assertNever } from '../shared/domain-error';
import type { GuidanceSource, GuidanceView } from './guidance.types';

/** Where a suggested action came from, in the user's words. */
export function sourceLabel(source: GuidanceSource): string {
  switch (source.kind) {
    case 'runbook':
      return `runbook${source.service ? ` ${source.service}` : ''} › ${source.section}`;
    case 'incident':
      return `from INC-${source.number}`;
    case 'model':
      return 'AI suggestion';
    case 'change':
      return `deployment of ${source.service} ${source.version} to ${source.environment}`;
    default:
      return assertNever(source);
  }
}

/** Which generator produced the guidance, in the user's words. */
export function generatorLabel(view: GuidanceView): string {
  if (view.fallbackReason) return `AI unavailable (${view.fallbackReason}), showing runbook guidance`;
  switch (view.guidance.generator) {
    case 'llm':
      return `Drafted by ${view.model ?? 'an AI model'}: check before acting`;
    case 'deterministic':
      return 'From runbooks and past incidents (no AI configured)';
    default:
      return assertNever(view.guidance.generator);
  }
}
