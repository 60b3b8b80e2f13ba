import type { AppDeps } from '../../../app/deps';
import type { Config } from '../../../config';
import { generatorLabel, guidanceBlocks } from '../../../guidance/guidance.blocks';
import { runbookBlocks } from '../../../guidance/runbook.blocks';
import { DomainError } from '../../../shared/domain-error';
import { type Role, atLeast } from '../../../shared/roles';
import { findByIdempotencyKey } from '../../db/event-store';
import { loadGuidanceContext } from '../../db/guidance.context';
import { enqueueEffects } from '../../db/outbox.repo';
import { type GuidanceLlmConfig, generateGuidance, guidanceRecord } from '../../openai/guidance-llm';
import { deleteRunbook, getRunbook, listRunbookServices, normaliseService, setRunbook } from '../../runbooks/runbook-files';
import { splitFirst } from '../command.parser';
import { runbookModal } from '../runbook.modal';
import { actorOf } from './core.subcommands';
import type { CommandContext, Reply, Subcommand } from './subcommand';

/** Every secret the process holds: scrubbed from the prompt should one have been pasted into an incident. */
export function configuredSecrets(c: Config): string[] {
  return [c.slack.botToken, c.slack.signingSecret, c.slack.clientSecret, c.slack.stateSecret, c.slack.appToken, c.openai.apiKey, c.github.token].filter((s): s is string => !!s);
}

export function guidanceLlmConfig(c: Config): GuidanceLlmConfig {
  return { apiKey: c.openai.apiKey, baseURL: c.openai.baseUrl, model: c.openai.model, timeoutMs: c.openai.timeoutMs, redact: configuredSecrets(c) };
}

/** Changing what responders are told to run is a lead's call. */
export function requireRunbookEditor(role: Role) {
  if (!atLeast(role, 'sre_lead')) {
    throw new DomainError('forbidden', `Changing a runbook needs the SRE lead role (or admin); you are a ${role.replace('_', ' ')}.`);
  }
}

const ALREADY = 'Guidance for this request was already posted in the thread under the pinned summary.';

/**
 * `/incident guidance`. Anyone who can view may ask, and the request is recorded (GUIDANCE_GENERATED
 * names who asked, the model and the tokens spent): it posts in the incident's thread, so the log
 * should say who caused that, and AI cost is accounted per incident.
 */
async function guidance(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const inc = ctx.incident!;
  // A Slack retry of a request already answered: skip the (slow, paid) model call.
  if (await findByIdempotencyKey(deps.db, ctx.orgId, ctx.idempotencyKey)) return { text: ALREADY };
  const state = await deps.incidents.load(ctx.orgId, inc.id);
  const gctx = await loadGuidanceContext(deps.db, deps.runbooks, state, deps.now());
  const result = await generateGuidance(guidanceLlmConfig(deps.config), gctx);
  if (result.fallbackReason) {
    deps.logger.warn({ incidentId: inc.id, reason: result.fallbackReason, detail: result.errorDetail, ms: result.latencyMs }, 'guidance fell back to runbooks');
  }
  const message = guidanceBlocks({ incidentId: inc.id, incidentNumber: state.number, view: result });
  const res = await deps.incidents.execute({
    orgId: ctx.orgId,
    incidentId: inc.id,
    actor: actorOf(ctx),
    idempotencyKey: ctx.idempotencyKey,
    // The threaded post is enqueued in the transaction that records the guidance: both or neither,
    // and a retry with the same key finds the record and enqueues nothing.
    command: async (trx) => {
      const post = { kind: 'slack.post', payload: { incidentId: inc.id, text: message.text, blocks: message.blocks, thread: 'summary' } };
      await enqueueEffects(trx, ctx.orgId, inc.id, [post], deps.now());
      return { type: 'RecordGuidance', ...guidanceRecord(result) };
    },
  });
  deps.kickOutbox();
  if (res.duplicate) return { text: ALREADY };
  const g = result.guidance;
  const counts = `${g.actions.length} suggested actions, ${g.questions.length} questions, ${g.related.length} related incidents`;
  return { text: `:bulb: Guidance for INC-${state.number} posted in the thread under the pinned summary (${counts}).\n_${generatorLabel(result)}_` };
}

/** Slack escapes links in command text as `<https://…>` or `<https://…|label>`. */
function unwrapLink(word: string): string {
  const m = /^<(https?:[^|>]+)(\|[^>]*)?>$/i.exec(word.trim());
  return m ? m[1] : word.trim();
}

async function storedMarkdown(deps: AppDeps, orgId: string, service: string): Promise<string | undefined> {
  const row = await deps.db.selectFrom('runbooks').select('markdown').where('org_id', '=', orgId).where('service', '=', service).executeTakeFirst();
  return row?.markdown ?? undefined;
}

async function listRunbooks(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  const services = await listRunbookServices(deps.db, deps.runbooks, ctx.orgId);
  if (services.length === 0) {
    return { text: `No runbooks yet. Add \`<service>.md\` files to the runbooks folder (\`RUNBOOKS_DIR\`, now \`${deps.config.runbooksDir}\`) or store one with \`/incident runbook <service> edit\`.` };
  }
  return { text: `Runbooks: ${services.map((s) => `\`${s}\``).join(', ')}.\nShow one with \`/incident runbook <service>\`.` };
}

const VERBS = ['set', 'edit', 'clear'];

/** `runbook [service]`, `runbook <service> set <url>`, `runbook <service> edit`, `runbook <service> clear`. */
async function runbook(ctx: CommandContext, deps: AppDeps): Promise<Reply> {
  let [first, tail] = splitFirst(ctx.args);
  // In an incident channel the service may be left out: `runbook`, `runbook edit`.
  if (ctx.incident?.service && VERBS.includes(first.toLowerCase())) [first, tail] = [ctx.incident.service, ctx.args];
  const named = first || ctx.incident?.service || '';
  if (!named) return listRunbooks(ctx, deps);
  const service = normaliseService(named);
  const [verb, rest] = splitFirst(tail);
  switch (verb.toLowerCase()) {
    case '': {
      const loaded = await getRunbook(deps.db, deps.runbooks, ctx.orgId, service);
      const r = runbookBlocks(loaded, service);
      return { text: r.text, blocks: r.blocks };
    }
    case 'set': {
      requireRunbookEditor(ctx.role);
      if (!rest) throw new DomainError('invalid_input', `Usage: \`/incident runbook ${service} set <https://link-to-runbook>\` (or \`edit\` to paste markdown).`);
      // Setting the link keeps markdown stored earlier for this workspace.
      const saved = await setRunbook(deps.db, { orgId: ctx.orgId, service, url: unwrapLink(splitFirst(rest)[0]), markdown: await storedMarkdown(deps, ctx.orgId, service), userId: ctx.userId, now: deps.now() });
      return { text: `Runbook link for \`${service}\` saved: ${saved.url}` };
    }
    case 'edit': {
      requireRunbookEditor(ctx.role);
      const loaded = await getRunbook(deps.db, deps.runbooks, ctx.orgId, service);
      return { modal: runbookModal({ service, markdown: loaded?.markdown, url: loaded?.url }) };
    }
    case 'clear': {
      requireRunbookEditor(ctx.role);
      const removed = await deleteRunbook(deps.db, ctx.orgId, service);
      return { text: removed ? `Removed this workspace's runbook for \`${service}\`; \`${service}.md\` from the runbooks folder applies again, if there is one.` : `This workspace has no stored runbook for \`${service}\`.` };
    }
    default:
      throw new DomainError('invalid_input', `Usage: \`/incident runbook [service]\`, or (SRE leads) \`runbook <service> set <url>\`, \`runbook <service> edit\`, \`runbook <service> clear\`.`);
  }
}

export const guidanceSubcommands: Subcommand[] = [
  { name: 'guidance', usage: '`guidance`', minRole: 'viewer', needsIncident: true, slow: true, run: guidance },
  { name: 'runbook', aliases: ['runbooks'], usage: '`runbook [service]`', minRole: 'viewer', run: runbook },
];
