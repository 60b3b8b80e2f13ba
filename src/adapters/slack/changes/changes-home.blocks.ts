import type { EnvironmentVersion } from '../../../changes/change.fold';
import { truncate } from '../../../signals/normalisers/normaliser.helpers';
import type { StoredChange } from '../../db/changes.repo';
import { changeLine, environmentLine } from './changes.blocks';

type Block = Record<string, unknown>;
const MAX_ENVIRONMENTS = 15;

/**
 * App Home's Deployments: environments whose latest deployment failed first, then every current version,
 * and the latest deployments. Nothing at all (no section) before any change connector has reported.
 */
export function deploymentsHomeBlocks(
  v: { environments: EnvironmentVersion[]; recent: StoredChange[] } | undefined,
): Block[] {
  if (!v || (v.environments.length === 0 && v.recent.length === 0)) return [];
  const failed = (e: EnvironmentVersion) => e.latest?.status === 'failure';
  const envs = [...v.environments].sort((a, b) => Number(failed(b)) - Number(failed(a))).slice(0, MAX_ENVIRONMENTS);
  const blocks: Block[] = [
    { type: 'divider' },
    { type: 'header', block_id: 'home_deploys_header', text: { type: 'plain_text', text: 'Deployments' } },
  ];
  if (envs.length)
    blocks.push({
      type: 'section',
      block_id: 'home_deploys_envs',
      text: { type: 'mrkdwn', text: truncate(`*Current versions*\n${envs.map(environmentLine).join('\n')}`, 2900) },
    });
  if (v.recent.length)
    blocks.push({
      type: 'section',
      block_id: 'home_deploys_recent',
      text: { type: 'mrkdwn', text: truncate(`*Latest*\n${v.recent.map(changeLine).join('\n')}`, 2900) },
    });
  blocks.push({
    type: 'context',
    block_id: 'home_deploys_hint',
    elements: [{ type: 'mrkdwn', text: '`/incident changes [service] [env]` lists the history.' }],
  });
  return blocks;
}
