import { assertNever } from '../../shared/domain-error';
import { canonicalEnvironment } from '../change.mapping';
import type { ChangeConnectorKind, ChangeNormaliseContext, ChangeNormaliseResult } from '../change.types';
import { normaliseArgocd } from './argocd.normaliser';
import { capChange } from './change.helpers';
import { normaliseGenericChange } from './generic-change.normaliser';
import { normaliseGithub } from './github.normaliser';
import { normaliseGitlab } from './gitlab.normaliser';

/**
 * A change sender's parsed JSON body → normalised change events, `ignored` (202, nothing stored) or
 * `ping`. Throws DomainError('invalid_input') naming every bad field. Pure.
 */
export function normaliseChange(
  kind: ChangeConnectorKind,
  body: unknown,
  ctx: ChangeNormaliseContext,
): ChangeNormaliseResult {
  const r = pick(kind)(body, ctx);
  if (r.type !== 'events') return r;
  const m = ctx.mapping;
  // Environment aliases (`prod` → production) so one environment has one history and one current version.
  const named = m ? r.events.map((e) => ({ ...e, environment: canonicalEnvironment(m, e.environment) })) : r.events;
  return { ...r, events: named.map(capChange) };
}

function pick(kind: ChangeConnectorKind): (body: unknown, ctx: ChangeNormaliseContext) => ChangeNormaliseResult {
  switch (kind) {
    case 'github':
      return normaliseGithub;
    case 'gitlab':
      return normaliseGitlab;
    case 'argocd':
      return normaliseArgocd;
    case 'changes':
      return normaliseGenericChange;
    default:
      return assertNever(kind);
  }
}
