import type { IncidentCommand } from '../incidents/incident.types';
import type { GuidanceResult } from './guidance.types';

export type GuidanceRecord = Omit<Extract<IncidentCommand, { type: 'RecordGuidance' }>, 'type'>;

/**
 * Payload for the RecordGuidance command (→ GUIDANCE_GENERATED). After a fallback the generator is
 * `deterministic` but model, prompt version and tokens are kept: the call was made and may have cost.
 */
export function guidanceRecord(result: GuidanceResult): GuidanceRecord {
  return {
    generator: result.guidance.generator,
    model: result.model,
    promptVersion: result.promptVersion,
    tokens: result.tokens,
    actionCount: result.guidance.actions.length,
  };
}
