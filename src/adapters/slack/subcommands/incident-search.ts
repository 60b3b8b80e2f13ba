import type { AppDeps } from '../../../app/deps';
import { searchResultBlocks } from '../../../guidance/search.blocks';
import { searchRelated } from '../../db/search.repo';
import type { CommandContext, Reply } from './subcommand';

const SHOWN = 10;
const OPEN_STATUSES = ['OPEN', 'INVESTIGATING', 'MITIGATED'];

/** `list [open|all] <query>`: full-text ranked incidents of this workspace (title, timeline, actions, postmortem). */
export async function searchIncidentsReply(ctx: Pick<CommandContext, 'orgId'>, deps: AppDeps, which: 'open' | 'all', query: string): Promise<Reply> {
  // Rank among every match, then keep the open ones: a closed best match must not push open ones out.
  const ranked = await searchRelated(deps.db, { orgId: ctx.orgId, text: query, limit: which === 'open' ? 50 : SHOWN, now: deps.now() });
  const results = (which === 'open' ? ranked.filter((r) => OPEN_STATUSES.includes(String(r.status))) : ranked).slice(0, SHOWN);
  const r = searchResultBlocks(query, which, results);
  return { text: r.text, blocks: r.blocks };
}
