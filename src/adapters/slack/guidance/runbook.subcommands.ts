import type { AppDeps } from '../../../app/deps';
import { canEditRunbook, requirePermission } from '../../../incidents/incident.permissions';
import { DomainError } from '../../../shared/domain-error';
import { normaliseService } from '../../runbooks/runbook-files';
import { splitFirst } from '../command.parser';
import type { CommandContext, Reply, Subcommand } from '../subcommands/subcommand';
import { runbookServiceFor } from './guidance.wiring';
import { runbookBlocks } from './runbook.blocks';
import { runbookModal } from './runbook.modal';

/** Slack escapes links in command text as `<https://…>` or `<https://…|label>`. */
function unwrapLink(word: string): string {
  const m = /^<(https?:[^|>]+)(\|[^>]*)?>$/i.exec(word.trim());
  return m ? m[1] : word.trim();
}

const VERBS = ['set', 'edit', 'clear'];
const USAGE =
  'Usage: `/incident runbook [service]`, or (SRE leads) `runbook <service> set <url>`, `runbook <service> edit`, `runbook <service> clear`.';

async function listRunbooks(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const services = await runbookServiceFor(deps).list({ orgId: ctx.orgId, actor: ctx.actor });
  if (services.length === 0) {
    const folder = `\`RUNBOOKS_DIR\`, now \`${deps.config.runbooksDir}\``;
    return {
      text: `No runbooks yet. Add \`<service>.md\` files to the runbooks folder (${folder}) or store one with \`/incident runbook <service> edit\`.`,
    };
  }
  return {
    text: `Runbooks: ${services.map((s) => `\`${s}\``).join(', ')}.\nShow one with \`/incident runbook <service>\`.`,
  };
}

/** `runbook [service]`, `runbook <service> set <url>`, `runbook <service> edit`, `runbook <service> clear`. */
async function runbook(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  let [first, tail] = splitFirst(ctx.args);
  // In an incident channel the service may be left out: `runbook`, `runbook edit`.
  if (ctx.incident?.service && VERBS.includes(first.toLowerCase())) [first, tail] = [ctx.incident.service, ctx.args];
  const named = first || ctx.incident?.service || '';
  if (!named) return listRunbooks(ctx, deps);
  const service = normaliseService(named);
  const runbooks = runbookServiceFor(deps);
  const req = { orgId: ctx.orgId, actor: ctx.actor, service };
  const [verb, rest] = splitFirst(tail);
  switch (verb.toLowerCase()) {
    case '': {
      const shown = await runbooks.show(req);
      const r = runbookBlocks(shown.runbook, shown.service);
      return { text: r.text, blocks: r.blocks };
    }
    case 'set': {
      if (!rest) {
        requirePermission(canEditRunbook(ctx.actor)); // who may not set it is told that first
        throw new DomainError(
          'invalid_input',
          `Usage: \`/incident runbook ${service} set <https://link-to-runbook>\` (or \`edit\` to paste markdown).`,
        );
      }
      const saved = await runbooks.setLink({ ...req, url: unwrapLink(splitFirst(rest)[0]) });
      return { text: `Runbook link for \`${saved.service}\` saved: ${saved.url}` };
    }
    case 'edit': {
      const form = await runbooks.startEdit(req);
      return { modal: runbookModal(form) };
    }
    case 'clear': {
      const { removed } = await runbooks.clear(req);
      return {
        text: removed
          ? `Removed this workspace's runbook for \`${service}\`; \`${service}.md\` from the runbooks folder applies again, if there is one.`
          : `This workspace has no stored runbook for \`${service}\`.`,
      };
    }
    default:
      throw new DomainError('invalid_input', USAGE);
  }
}

export const runbookSubcommand: Subcommand = {
  name: 'runbook',
  aliases: ['runbooks'],
  usage: '`runbook [service]`',
  minRole: 'viewer',
  run: runbook,
};
