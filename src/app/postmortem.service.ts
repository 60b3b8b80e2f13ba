import type { Logger } from 'pino';
import { findByIdempotencyKey, loadEvents } from '../adapters/db/event-store';
import { findIncidentById } from '../adapters/db/incident.queries';
import {
  getLatestPostmortem,
  getPostmortem,
  getPostmortemPr,
  insertPostmortemDraft,
  savePostmortemPr,
} from '../adapters/db/postmortem.repo';
import type { DB } from '../adapters/db/schema';
import { searchRelatedTo } from '../adapters/db/search.repo';
import {
  canDownloadPostmortem,
  canDraftPostmortem,
  canOpenPostmortemPr,
  requirePermission,
} from '../incidents/incident.permissions';
import type { Actor, IncidentState } from '../incidents/incident.types';
import {
  type RelatedIncident,
  draftPostmortem,
  postmortemBranch,
  postmortemFilePath,
} from '../postmortems/postmortem.markdown';
import { userIdsIn } from '../postmortems/postmortem.people';
import { DomainError } from '../shared/domain-error';
import type { IncidentService } from './incident.service';

import type {
  FileUploads,
  IncidentLinks,
  PostmortemDrafterPort,
  PullRequestResult,
  PullRequests,
  UserDirectory,
} from './postmortem.ports';
import { sloViolationsOf } from './slo-violations.service';
import { changesAround } from './rollback-reads.service';

export * from './postmortem.ports';

// ---- the service ----

export interface PostmortemServiceDeps {
  db: DB;
  incidents: Pick<IncidentService, 'execute' | 'load'>;
  logger: Pick<Logger, 'warn'>;
  now: () => Date;
  drafter: PostmortemDrafterPort;
  pullRequests: PullRequests;
  users: UserDirectory;
  links: IncidentLinks;
  uploads: FileUploads;
  /** GITHUB_PRIVATE_REPOSITORY: where private incidents' postmortem PRs go (refused when unset). */
  privateRepository?: string;
}

export interface PostmortemRequest {
  orgId: string;
  incidentId: string;
  actor: Actor;
  /** `slash:<trigger_id>` / `action:<trigger_id>`: a retried request stores nothing twice. */
  idempotencyKey?: string;
}

export interface DraftResult {
  version: number;
  /** The request was seen before: nothing was drafted or stored. */
  duplicate: boolean;
}

export type PullRequestOutcome = PullRequestResult & { version: number };

/** Drafting without a model: the deterministic draft, with prompts for the team. */
export const deterministicDrafter: PostmortemDrafterPort = {
  usesModel: false,
  draft: async (input) => ({ markdown: draftPostmortem(input), generator: 'deterministic' }),
};

const NO_DRAFT = 'There is no postmortem draft yet: run `/incident postmortem` first.';
const privateRepoMissing = (n: number) =>
  `INC-${n} is private, so its postmortem pull request goes to a private repository, and none is set up: an admin ` +
  'needs to set `GITHUB_PRIVATE_REPOSITORY` (owner/name). You can still download the draft.';

async function existingIncident(
  deps: PostmortemServiceDeps,
  orgId: string,
  incidentId: string,
): Promise<IncidentState> {
  const state = await deps.incidents.load(orgId, incidentId);
  if (!state.exists) throw new DomainError('not_found', 'That incident does not exist.');
  return state;
}

export type PostmortemService = ReturnType<typeof createPostmortemService>;

/** Draft (and regenerate), open or update the pull request, and download: the postmortem use cases. */
export function createPostmortemService(deps: PostmortemServiceDeps) {
  async function incidentLink(orgId: string, incidentId: string): Promise<string | undefined> {
    const row = await findIncidentById(deps.db, orgId, incidentId);
    return row ? deps.links.link(orgId, { channelId: row.channel_id, summaryTs: row.summary_ts }) : undefined;
  }

  async function relatedTo(state: IncidentState): Promise<RelatedIncident[]> {
    try {
      const text = [state.title, state.description].filter(Boolean).join(' ');
      const hits = await searchRelatedTo(deps.db, state, { text, limit: 5, now: deps.now() });
      return hits.map((r) => ({
        number: r.number,
        title: r.title,
        url: r.channelId ? deps.links.channel(state.orgId, r.channelId) : undefined,
      }));
    } catch (err) {
      // Related incidents are a nicety: a search problem must not cost the draft.
      deps.logger.warn({ err, incidentId: state.id }, 'related incident search failed; drafting without');
      return [];
    }
  }

  /**
   * Draft the next version: gather the log, names, related incidents and links, draft (model or
   * deterministic), then store the draft and its POSTMORTEM_DRAFTED event in one transaction, so a
   * retry (same key) or a refused command leaves no orphan draft. The preview is posted by the outbox.
   */
  async function draft(req: PostmortemRequest): Promise<DraftResult> {
    const { orgId, incidentId, actor } = req;
    // Checked before the (slow, possibly paid) model call; the transaction still guards a race.
    if (req.idempotencyKey && (await findByIdempotencyKey(deps.db, orgId, req.idempotencyKey))) {
      return { version: (await deps.incidents.load(orgId, incidentId)).postmortemVersion, duplicate: true };
    }
    requirePermission(canDraftPostmortem(actor));
    const state = await existingIncident(deps, orgId, incidentId);
    const events = await loadEvents(deps.db, orgId, incidentId);
    const [userNames, related, channelUrl, sloViolations] = await Promise.all([
      deps.users.names(orgId, userIdsIn(state, events)),
      relatedTo(state),
      incidentLink(orgId, incidentId),
      sloViolationsOf(deps, orgId, incidentId),
    ]);
    const names = { revenant: 'Runbook Revenant', ...userNames };
    const input = {
      incident: state,
      events,
      userNames: names,
      related,
      links: { channelUrl },
      now: deps.now().toISOString(),
      sloViolations,
      changes: await changesAround(deps, state, deps.now()).catch(() => []),
    };
    const gen = await deps.drafter.draft(input);
    if (gen.fallback)
      deps.logger.warn(
        { incidentId, reason: gen.fallback.reason, detail: gen.fallback.detail },
        'postmortem narrative unavailable; deterministic draft',
      );
    const res = await deps.incidents.execute({
      ...req,
      command: async (trx) => {
        const stored = await insertPostmortemDraft(trx, {
          orgId,
          incidentId,
          markdown: gen.markdown,
          generator: gen.generator,
          model: gen.model,
          tokens: gen.tokens,
          createdBy: actor.id,
          createdAt: deps.now().toISOString(),
        });
        const { generator, model, tokens, promptVersion } = gen;
        return {
          type: 'RecordPostmortemDraft',
          version: stored.version,
          generator,
          model,
          tokens,
          promptVersion,
          fallback: gen.fallback?.reason,
        };
      },
    });
    return { version: res.state.postmortemVersion, duplicate: res.duplicate };
  }

  /**
   * Open (or find and update) the incident's PR from the latest draft. GitHub first; only after it
   * succeeded are the PR row and the POSTMORTEM_PR_OPENED event written, together.
   */
  async function openPullRequest(req: PostmortemRequest): Promise<PullRequestOutcome> {
    const { orgId, incidentId, actor } = req;
    requirePermission(canOpenPostmortemPr(actor));
    const latest = await getLatestPostmortem(deps.db, orgId, incidentId);
    if (!latest) throw new DomainError('not_found', NO_DRAFT);
    const [state, incidentUrl, existing] = await Promise.all([
      deps.incidents.load(orgId, incidentId),
      incidentLink(orgId, incidentId),
      getPostmortemPr(deps.db, orgId, incidentId),
    ]);
    // A private incident's postmortem never goes to the shared repository.
    const priv = state.visibility === 'private';
    if (priv && !deps.privateRepository) throw new DomainError('unavailable', privateRepoMissing(state.number));
    const pr = await deps.pullRequests.open({
      ...(priv ? { repository: deps.privateRepository } : {}),
      number: state.number,
      title: state.title,
      incidentUrl,
      markdown: latest.markdown,
      path: existing?.path ?? postmortemFilePath(state),
      branch: existing?.branch ?? postmortemBranch(state.number),
      lastWrittenSha: existing?.contentSha,
    });
    // When people's edits were kept, remember what *we* last wrote, so later presses keep them too.
    const contentSha = pr.keptGitHubEdits ? existing?.contentSha : (pr.contentSha ?? existing?.contentSha);
    await deps.incidents.execute({
      ...req,
      command: async (trx) => {
        const { number, url, branch, path } = pr;
        await savePostmortemPr(trx, {
          orgId,
          incidentId,
          number,
          url,
          branch,
          path,
          contentSha,
          updatedAt: deps.now().toISOString(),
        });
        return { type: 'RecordPostmortemPr', number, url, branch };
      },
    });
    return { ...pr, version: latest.version };
  }

  /** Upload a draft (the given version, else the latest) as a Markdown file into the channel. */
  async function download(req: PostmortemRequest & { channelId: string; version?: number }) {
    requirePermission(canDownloadPostmortem(req.actor));
    const { orgId, incidentId } = req;
    const picked = req.version ? await getPostmortem(deps.db, orgId, incidentId, req.version) : undefined;
    const stored = picked ?? (await getLatestPostmortem(deps.db, orgId, incidentId));
    if (!stored) throw new DomainError('not_found', NO_DRAFT);
    const state = await deps.incidents.load(orgId, incidentId);
    const filename = postmortemFilePath(state).split('/').pop() ?? `incident-${state.number}.md`;
    await deps.uploads.upload(orgId, {
      channelId: req.channelId,
      filename,
      title: `Postmortem INC-${state.number} (draft v${stored.version})`,
      content: stored.markdown,
      comment: `Postmortem draft v${stored.version} of INC-${state.number}, requested by <@${req.actor.id}>.`,
    });
    return { version: stored.version, filename };
  }

  return {
    /** Whether drafting calls a model (and so may take seconds). */
    usesModel: deps.drafter.usesModel,
    draft,
    /** A new version from the current log: the same as drafting; every version is kept. */
    regenerate: draft,
    openPullRequest,
    download,
  };
}
