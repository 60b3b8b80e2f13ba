import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { hasRole, requirePermission } from '../../incidents/incident.permissions';
import { DomainError } from '../../shared/domain-error';
import { parseCommandText } from './command.parser';
import { HELP_TEXT } from './incident.blocks';
import { slackRequest } from './request-context';
import { errorText } from './slack-reply';
import type { CommandContext, Reply } from './subcommands/subcommand';
import { findSubcommand } from './subcommands';

/** Ack with a placeholder if the answer is not ready by then (Slack gives up at 3 s). */
export const ACK_GUARD_MS = 2_000;

const ephemeral = (r: { text: string; blocks?: unknown[]; inChannel?: boolean }) => ({
  response_type: r.inChannel ? ('in_channel' as const) : ('ephemeral' as const),
  text: r.text,
  ...(r.blocks ? { blocks: r.blocks as never } : {}),
});

/**
 * `/incident`. Fast subcommands write to the log and then ack with the answer (a durable write takes
 * milliseconds, so a 200 means "recorded"); slow ones ack at once and answer through response_url.
 */
export function registerCommands(app: App, deps: AppDeps) {
  app.command('/incident', async ({ command, ack, respond, client, context }) => {
    const req = slackRequest(context);
    const parsed = parseCommandText(command.text ?? '');
    const sub = findSubcommand(parsed.sub);
    if (!sub) {
      await ack(ephemeral({ text: `I don't know \`${parsed.sub}\`.\n${HELP_TEXT}` }));
      return;
    }
    let ctx: CommandContext;
    try {
      const actor = await req.actor();
      if (sub.minRole) requirePermission(hasRole(actor, sub.minRole, `\`${sub.name}\``));
      const incident = await req.incident();
      if (sub.needsIncident && !incident) {
        throw new DomainError(
          'not_in_incident_channel',
          `\`${sub.name}\` works inside an incident channel. Run it in the incident's channel (see \`/incident list\`).`,
        );
      }
      ctx = {
        orgId: req.orgId,
        userId: actor.id,
        channelId: command.channel_id,
        args: parsed.rest,
        role: actor.role,
        actor,
        triggerId: command.trigger_id,
        incident,
        client,
        idempotencyKey: `slash:${command.trigger_id}`,
      };
    } catch (e) {
      await ack(ephemeral({ text: errorText(e, deps.logger, `/incident ${sub.name}`) }));
      return;
    }

    if (sub.slow) {
      await ack(ephemeral({ text: `:hourglass_flowing_sand: Working on \`${sub.name}\`…` }));
      try {
        const reply = await sub.run(ctx, deps);
        if ('modal' in reply) await client.views.open({ trigger_id: command.trigger_id, view: reply.modal as never });
        else await respond({ ...ephemeral(reply), replace_original: true });
      } catch (e) {
        await respond({
          response_type: 'ephemeral',
          text: errorText(e, deps.logger, `/incident ${sub.name}`),
          replace_original: true,
        });
      }
      return;
    }

    // The durable write normally takes milliseconds; if the database is slow, ack before Slack's
    // 3 s deadline anyway and deliver the answer through response_url when it is ready.
    let acked = false;
    const guard = setTimeout(() => {
      acked = true;
      void ack(ephemeral({ text: `:hourglass_flowing_sand: Working on \`${sub.name}\`…` })).catch(() => undefined);
    }, ACK_GUARD_MS);
    let reply: Reply;
    try {
      reply = await sub.run(ctx, deps);
    } catch (e) {
      reply = { text: errorText(e, deps.logger, `/incident ${sub.name}`) };
    } finally {
      clearTimeout(guard);
    }
    if ('modal' in reply) {
      if (!acked) await ack();
      try {
        await client.views.open({ trigger_id: command.trigger_id, view: reply.modal as never });
      } catch (e) {
        await respond({ response_type: 'ephemeral', text: errorText(e, deps.logger, 'opening the form') });
      }
      return;
    }
    if (acked) await respond({ ...ephemeral(reply), replace_original: true });
    else await ack(ephemeral(reply));
  });
}
