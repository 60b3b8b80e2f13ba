import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../app/deps';
import type { FeatureDeps } from '../../app/feature-deps';
import type { Config } from '../../config';
import type { Actor, IncidentEvent, IncidentState } from '../../incidents/incident.types';
import { postmortemBranch, postmortemFilePath, type RelatedIncident } from '../../postmortems/postmortem.markdown';
import type { UserNames } from '../../postmortems/postmortem.timeline';
import { DomainError } from '../../shared/domain-error';
import { atLeast } from '../../shared/roles';
import { findByIdempotencyKey, loadEvents } from '../db/event-store';
import { findIncidentById } from '../db/incident.queries';
import { getLatestPostmortem, getPostmortem, getPostmortemPr, insertPostmortemDraft, savePostmortemPr } from '../db/postmortem.repo';
import type { IncidentRow } from '../db/schema';
import { searchRelated } from '../db/search.repo';
import { createGitHubTarget, openPostmortemPr, type PostmortemPrResult } from '../github/github-pr';
import { createPostmortemDrafter, generatePostmortem } from '../openai/postmortem-drafter';

type PostmortemDeps = FeatureDeps['postmortems'];

/** Built once at start: the drafter (null without OPENAI_API_KEY) and the GitHub settings. */
export function createPostmortemDeps(config: Config): PostmortemDeps {
  const secrets = [config.slack.botToken, config.slack.signingSecret, config.slack.clientSecret, config.slack.stateSecret, config.slack.appToken, config.github.token];
  return {
    drafter: createPostmortemDrafter({
      apiKey: config.openai.apiKey,
      baseURL: config.openai.baseUrl,
      model: config.openai.model,
      timeoutMs: config.openai.timeoutMs,
      redact: secrets.filter((s): s is string => !!s),
    }),
    github: config.github,
  };
}

const postmortemDepsOf = (deps: AppDeps): PostmortemDeps => deps.postmortems ?? { drafter: null, github: deps.config.github };

export const appRedirect = (orgId: string, channelId: string) => `https://slack.com/app_redirect?channel=${channelId}&team=${orgId}`;

/** A link to the incident for the draft and the PR body: the pinned summary's permalink, else Slack's channel redirect. */
export async function incidentLink(client: WebClient, orgId: string, inc: Pick<IncidentRow, 'channel_id' | 'summary_ts'>): Promise<string | undefined> {
  if (!inc.channel_id) return undefined;
  if (inc.summary_ts) {
    try {
      const res = await client.chat.getPermalink({ channel: inc.channel_id, message_ts: inc.summary_ts });
      if (res.permalink) return res.permalink;
    } catch {
      // A deleted summary or a missing scope only costs the nicer link.
    }
  }
  return appRedirect(orgId, inc.channel_id);
}

// ---- user names (cached: a postmortem names the same few people many times) ----
const NAME_TTL_MS = 60 * 60_000;
const NAME_CACHE_MAX = 5000;
const MAX_LOOKUPS = 60;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
type NameCache = Map<string, { name: string; at: number }>;
// One cache per running app (keyed by its deps), so two apps in one process never share names.
const nameCaches = new WeakMap<AppDeps, NameCache>();

/** Every Slack user id the draft will mention: actors, assignees, owners, authors and `<@U…>` in texts. */
export function userIdsIn(state: IncidentState, events: IncidentEvent[]): string[] {
  const ids = new Set<string>();
  const add = (id?: string) => {
    if (id && USER_ID.test(id)) ids.add(id);
  };
  for (const e of events) {
    add(e.actor);
    if (e.type === 'ASSIGNEE_CHANGED') [e.userId, e.previous].forEach(add);
    if (e.type === 'ACTION_ADDED') add(e.owner);
    if (e.type === 'NOTE_ADDED') add(e.source?.author);
  }
  for (const m of JSON.stringify(events).matchAll(/<@([UW][A-Z0-9]+)/g)) add(m[1]);
  Object.values(state.roles).forEach(add);
  return [...ids].slice(0, MAX_LOOKUPS);
}

async function resolveUserNames(nameCache: NameCache, client: WebClient, orgId: string, ids: string[], now: number): Promise<UserNames> {
  const names: UserNames = { revenant: 'Runbook Revenant' };
  const lookup = async (id: string) => {
    const key = `${orgId}:${id}`;
    const hit = nameCache.get(key);
    if (hit && now - hit.at < NAME_TTL_MS) return void (names[id] = hit.name);
    try {
      const { user } = await client.users.info({ user: id });
      const name = user?.real_name || user?.profile?.real_name || user?.profile?.display_name || user?.name;
      if (!name) return;
      names[id] = name;
      if (nameCache.size >= NAME_CACHE_MAX) nameCache.delete(nameCache.keys().next().value as string);
      nameCache.set(key, { name, at: now });
    } catch {
      // Unknown or deactivated: the draft shows the id, which is still unambiguous.
    }
  };
  for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map(lookup));
  return names;
}

function nameCacheOf(deps: AppDeps): NameCache {
  let cache = nameCaches.get(deps);
  if (!cache) nameCaches.set(deps, (cache = new Map()));
  return cache;
}

async function relatedTo(deps: AppDeps, state: IncidentState): Promise<RelatedIncident[]> {
  try {
    const hits = await searchRelated(deps.db, {
      orgId: state.orgId,
      text: [state.title, state.description].filter(Boolean).join(' '),
      service: state.service,
      environment: state.environment,
      excludeIncidentId: state.id,
      fingerprints: state.signals.map((s) => s.fingerprint),
      correlationKeys: state.signals.map((s) => s.correlationKey).filter((k): k is string => !!k),
      limit: 5,
      now: deps.now(),
    });
    return hits.map((r) => ({ number: r.number, title: r.title, url: r.channelId ? appRedirect(state.orgId, r.channelId) : undefined }));
  } catch (err) {
    // Related incidents are a nicety: a search problem must not cost the draft.
    deps.logger.warn({ err, incidentId: state.id }, 'related incident search failed; drafting without');
    return [];
  }
}

export interface PostmortemRequest {
  orgId: string;
  incidentId: string;
  actor: Actor;
  client: WebClient;
  /** `slash:<trigger_id>` / `action:<trigger_id>`: a retried request stores nothing twice. */
  idempotencyKey?: string;
}

function requireResponder(actor: Actor, what: string) {
  if (!atLeast(actor.role, 'responder')) throw new DomainError('forbidden', `You need the responder role (or higher) to ${what}; you are a ${actor.role.replace('_', ' ')}.`);
}

/**
 * Draft the next version: gather the log, names, related incidents and links, draft (model or
 * deterministic), then store the draft and its POSTMORTEM_DRAFTED event in one transaction, so a
 * retry (same key) or a refused command leaves no orphan draft. The preview is posted by the outbox.
 */
export async function draftPostmortemVersion(deps: AppDeps, req: PostmortemRequest) {
  const { orgId, incidentId, actor } = req;
  // Checked before the (slow, possibly paid) model call; the transaction still guards a race.
  if (req.idempotencyKey && (await findByIdempotencyKey(deps.db, orgId, req.idempotencyKey))) {
    return { version: (await deps.incidents.load(orgId, incidentId)).postmortemVersion, duplicate: true };
  }
  requireResponder(actor, 'draft a postmortem');
  const state = await deps.incidents.load(orgId, incidentId);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  const [events, row] = await Promise.all([loadEvents(deps.db, orgId, incidentId), findIncidentById(deps.db, orgId, incidentId)]);
  const [userNames, related, channelUrl] = await Promise.all([
    resolveUserNames(nameCacheOf(deps), req.client, orgId, userIdsIn(state, events), Date.now()),
    relatedTo(deps, state),
    row ? incidentLink(req.client, orgId, row) : undefined,
  ]);
  const gen = await generatePostmortem(postmortemDepsOf(deps).drafter, { incident: state, events, userNames, related, links: { channelUrl }, now: deps.now().toISOString() });
  if (gen.fallback) deps.logger.warn({ incidentId, reason: gen.fallback.reason, detail: gen.fallback.detail }, 'postmortem narrative unavailable; deterministic draft');
  const res = await deps.incidents.execute({
    orgId,
    incidentId,
    actor,
    idempotencyKey: req.idempotencyKey,
    command: async (trx) => {
      const stored = await insertPostmortemDraft(trx, { orgId, incidentId, markdown: gen.markdown, generator: gen.generator, model: gen.model, tokens: gen.tokens, createdBy: actor.id, createdAt: deps.now().toISOString() });
      return { type: 'RecordPostmortemDraft', version: stored.version, generator: gen.generator, model: gen.model, tokens: gen.tokens, promptVersion: gen.promptVersion, fallback: gen.fallback?.reason };
    },
  });
  deps.kickOutbox();
  return { version: res.state.postmortemVersion, duplicate: res.duplicate };
}

/**
 * Open (or find and update) the incident's PR from the latest draft. GitHub first; only after it
 * succeeded are the PR row and the POSTMORTEM_PR_OPENED event written, together.
 */
export async function createPostmortemPr(deps: AppDeps, req: PostmortemRequest): Promise<PostmortemPrResult & { version: number }> {
  const { orgId, incidentId, actor } = req;
  requireResponder(actor, 'open the postmortem pull request');
  const draft = await getLatestPostmortem(deps.db, orgId, incidentId);
  if (!draft) throw new DomainError('not_found', 'There is no postmortem draft yet: run `/incident postmortem` first.');
  const target = createGitHubTarget(postmortemDepsOf(deps).github);
  const [state, row, existing] = await Promise.all([deps.incidents.load(orgId, incidentId), findIncidentById(deps.db, orgId, incidentId), getPostmortemPr(deps.db, orgId, incidentId)]);
  const pr = await openPostmortemPr(target.octokit, {
    owner: target.owner,
    repo: target.repo,
    number: state.number,
    title: state.title,
    incidentUrl: row ? await incidentLink(req.client, orgId, row) : undefined,
    markdown: draft.markdown,
    path: existing?.path ?? postmortemFilePath(state),
    branch: existing?.branch ?? postmortemBranch(state.number),
    lastWrittenSha: existing?.contentSha,
  });
  // When people's edits were kept, remember what *we* last wrote, so later presses keep them too.
  const contentSha = pr.keptGitHubEdits ? existing?.contentSha : (pr.contentSha ?? existing?.contentSha);
  await deps.incidents.execute({
    orgId,
    incidentId,
    actor,
    idempotencyKey: req.idempotencyKey,
    command: async (trx) => {
      await savePostmortemPr(trx, { orgId, incidentId, number: pr.number, url: pr.url, branch: pr.branch, path: pr.path, contentSha, updatedAt: deps.now().toISOString() });
      return { type: 'RecordPostmortemPr', number: pr.number, url: pr.url, branch: pr.branch };
    },
  });
  deps.kickOutbox();
  return { ...pr, version: draft.version };
}

/** Upload a draft (the pressed preview's version, else the latest) as a Markdown file into the channel. */
export async function uploadPostmortem(deps: AppDeps, req: PostmortemRequest & { channelId: string; version?: number }) {
  requireResponder(req.actor, 'download the postmortem');
  const draft =
    (req.version ? await getPostmortem(deps.db, req.orgId, req.incidentId, req.version) : undefined) ?? (await getLatestPostmortem(deps.db, req.orgId, req.incidentId));
  if (!draft) throw new DomainError('not_found', 'There is no postmortem draft yet: run `/incident postmortem` first.');
  const state = await deps.incidents.load(req.orgId, req.incidentId);
  const filename = postmortemFilePath(state).split('/').pop() ?? `incident-${state.number}.md`;
  await req.client.filesUploadV2({
    channel_id: req.channelId,
    filename,
    title: `Postmortem INC-${state.number} (draft v${draft.version})`,
    content: draft.markdown,
    initial_comment: `Postmortem draft v${draft.version} of INC-${state.number}, requested by <@${req.actor.id}>.`,
  });
  return { version: draft.version, filename };
}
