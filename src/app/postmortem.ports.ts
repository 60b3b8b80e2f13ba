/* The postmortem use cases' ports: what drafting needs from the outside, implemented in src/adapters/*. */
import type { PostmortemInput } from '../postmortems/postmortem.markdown';
import type { UserNames } from '../postmortems/postmortem.timeline';


/** Display names of Slack users (ids without one are left out: the draft then shows the id). */
export interface UserDirectory {
  names(orgId: string, ids: readonly string[]): Promise<UserNames>;
}

/** Links into the chat workspace: the incident (its pinned summary when there is one) and a channel. */
export interface IncidentLinks {
  link(orgId: string, incident: { channelId: string | null; summaryTs: string | null }): Promise<string | undefined>;
  channel(orgId: string, channelId: string): string;
}

/** A draft as the drafter made it (model narrative or deterministic), with how it was made. */
export interface DraftedPostmortem {
  markdown: string;
  generator: 'llm' | 'deterministic';
  model?: string;
  tokens?: number;
  promptVersion?: string;
  /** Set when a model was configured but its narrative could not be used. */
  fallback?: { reason: string; detail: string };
}

export interface PostmortemDrafterPort {
  /** A model writes the narrative (drafting may take seconds); false: deterministic and instant. */
  readonly usesModel: boolean;
  /** Never throws for model trouble: falls back to the deterministic draft and says why. */
  draft(input: PostmortemInput): Promise<DraftedPostmortem>;
}

export interface PullRequestRequest {
  /** Incident number (INC-<number>). */
  number: number;
  /** Incident title. */
  title: string;
  incidentUrl?: string;
  markdown: string;
  path: string;
  branch: string;
  /**
   * Blob sha we wrote last time (from `postmortem_prs.content_sha`). When the file on the branch
   * has another sha, people edited it on GitHub, and a regenerated draft must not overwrite them.
   */
  lastWrittenSha?: string;
  /** `owner/name` instead of GITHUB_REPOSITORY: a private incident's PR goes to GITHUB_PRIVATE_REPOSITORY. */
  repository?: string;
}

export interface PullRequestResult {
  number: number;
  url: string;
  /** A new pull request was opened. */
  created: boolean;
  /** The file on an existing branch/PR was replaced by a changed draft. */
  updated: boolean;
  /** The file was edited on GitHub since we wrote it, so the new draft was not written. */
  keptGitHubEdits: boolean;
  branch: string;
  path: string;
  contentSha?: string;
}

/** Opens or updates the postmortem pull request; throws an error with a user-safe message when it cannot. */
export interface PullRequests {
  open(req: PullRequestRequest): Promise<PullRequestResult>;
}

/** The chat-side ports of one workspace (names, links, uploads); a caller outside Slack gets them per org. */
export interface PostmortemChatPorts {
  users: UserDirectory;
  links: IncidentLinks;
  uploads: FileUploads;
}

export interface FileUploads {
  upload(
    orgId: string,
    file: { channelId: string; filename: string; title: string; content: string; comment: string },
  ): Promise<void>;
}

