import { z } from 'zod';
import { stripControl } from '../../shared/text';
import { parseTime, refineWith, truncate } from '../../signals/normalisers/normaliser.helpers';
import { CHANGE_LIMITS, type ChangeEvent } from '../change.types';

/** A sender's time as ISO UTC (RFC 3339 or epoch, as alerts accept); absent stays undefined. */
export const time = z.union([z.number(), z.string()]).transform(refineWith(parseTime));
/** A time the payload must carry. */
export const reqTime = time.refine((v) => v !== undefined, { message: 'required (RFC 3339 or epoch)' });
export const text = z.string().trim().min(1);
/** Optional text that senders fill with "" when they have nothing. */
export const optText = z
  .string()
  .nullish()
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

const VERSION_TAG_RE = /^v?\d+(\.\d+)*([-+.][\w.-]+)?$/i;
/** A version from what the sender has: an explicit one, a tag-shaped ref, else the short commit. */
export function versionOf(
  explicit: string | undefined,
  ref: string | undefined,
  sha: string | undefined,
): string | undefined {
  if (explicit?.trim()) return explicit.trim();
  const r = ref?.replace(/^refs\/tags\//, '');
  if (r && VERSION_TAG_RE.test(r)) return r;
  return sha ? sha.slice(0, 7) : r;
}

/** Every text cut to CHANGE_LIMITS, control characters dropped (Postgres refuses NUL). */
export function capChange(e: ChangeEvent): ChangeEvent {
  const cut = (v: string, max: number) => truncate(stripControl(v).trim(), max);
  return {
    ...e,
    service: cut(e.service, CHANGE_LIMITS.service),
    environment: cut(e.environment, CHANGE_LIMITS.environment),
    version: cut(e.version, CHANGE_LIMITS.version),
    ...(e.ref !== undefined ? { ref: cut(e.ref, CHANGE_LIMITS.ref) } : {}),
    url: cut(e.url, CHANGE_LIMITS.url),
    actor: cut(e.actor, CHANGE_LIMITS.actor),
  };
}

/** Shell-style `*` globs, case-insensitive, against a workflow's name or its file's base name. */
export function matchesWorkflow(
  patterns: readonly string[],
  name: string | undefined,
  path: string | undefined,
): boolean {
  const file = path
    ?.split('/')
    .pop()
    ?.replace(/\.ya?ml$/i, '');
  const candidates = [name, file, path].filter((c): c is string => !!c && c.trim() !== '');
  return patterns.some((p) => {
    const re = new RegExp(`^${p.trim().split('*').map(escapeRe).join('.*')}$`, 'i');
    return candidates.some((c) => re.test(c.trim()));
  });
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ENV_WORDS: Array<[RegExp, string]> = [
  [/\b(prod|production)\b/i, 'production'],
  [/\b(staging|stage|stg)\b/i, 'staging'],
  [/\b(dev|development)\b/i, 'development'],
  [/\b(qa|test|testing)\b/i, 'qa'],
  [/\b(preview|sandbox)\b/i, 'preview'],
];
/** "Deploy staging" → staging; a deploy workflow that names no environment deploys production. */
export function environmentFromName(name: string): string {
  const spaced = name.replace(/[-_./]/g, ' ');
  return ENV_WORDS.find(([re]) => re.test(spaced))?.[1] ?? 'production';
}
