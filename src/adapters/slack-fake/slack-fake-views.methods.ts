import { fail, json, str } from './slack-fake.errors';
import type { MethodContext, MethodHandler } from './slack-fake.methods';
import { assertView } from './slack-fake.validate';
import type { FakeViewRecord, TriggerRecord } from './slack-fake.types';

const MAX_STACK = 3;

function readView(ctx: MethodContext, expected: 'modal' | 'home'): Record<string, unknown> {
  return assertView(json(ctx.params, 'view'), expected);
}

/** The full object Slack echoes back, with server-owned fields filled in. */
function buildView(ctx: MethodContext, input: Record<string, unknown>, id: string, extra: Record<string, unknown>): Record<string, unknown> {
  const isModal = input.type === 'modal';
  return {
    id,
    team_id: ctx.team.id,
    type: input.type,
    ...(isModal ? { title: input.title, close: input.close ?? null, submit: input.submit ?? null } : {}),
    blocks: structuredClone(input.blocks ?? []),
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: input.external_id ?? '',
    state: { values: {} },
    hash: ctx.state.nextViewHash(),
    clear_on_close: input.clear_on_close ?? false,
    notify_on_close: input.notify_on_close ?? false,
    root_view_id: id,
    previous_view_id: null,
    app_id: ctx.team.appId,
    app_installed_team_id: ctx.team.id,
    bot_id: ctx.team.botId,
    ...extra,
  };
}

function assertExternalIdFree(ctx: MethodContext, input: Record<string, unknown>, exceptId?: string): void {
  const ext = input.external_id;
  if (typeof ext !== 'string' || ext === '') return;
  for (const rec of ctx.team.views.values()) {
    if (rec.view.external_id === ext && rec.view.id !== exceptId) fail('duplicate_external_id');
  }
}

function store(ctx: MethodContext, view: Record<string, unknown>, trigger: TriggerRecord | undefined): Record<string, unknown> {
  const record: FakeViewRecord = { view, userId: trigger?.userId, updatedAt: ctx.state.nowMs() };
  ctx.team.views.set(String(view.id), record);
  return structuredClone(view);
}

function findView(ctx: MethodContext): FakeViewRecord {
  const viewId = str(ctx.params, 'view_id');
  const externalId = str(ctx.params, 'external_id');
  if (!viewId && !externalId) fail('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
  for (const rec of ctx.team.views.values()) {
    if (viewId ? rec.view.id === viewId : rec.view.external_id === externalId) return rec;
  }
  for (const rec of ctx.team.homeTabs.values()) if (rec.view.id === viewId) return rec;
  return fail('not_found');
}

function assertHash(ctx: MethodContext, current: Record<string, unknown>): void {
  const hash = str(ctx.params, 'hash');
  if (hash !== undefined && hash !== '' && hash !== current.hash) fail('hash_conflict');
}

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': (ctx) => {
    const trigger = ctx.state.exchangeTrigger(str(ctx.params, 'trigger_id'));
    const input = readView(ctx, 'modal');
    assertExternalIdFree(ctx, input);
    return { view: store(ctx, buildView(ctx, input, ctx.state.nextViewId(), {}), trigger) };
  },

  'views.push': (ctx) => {
    const trigger = ctx.state.exchangeTrigger(str(ctx.params, 'trigger_id'));
    const input = readView(ctx, 'modal');
    assertExternalIdFree(ctx, input);
    // Stack on the user's most recent modal when the trigger tells us who clicked.
    const mine = [...ctx.team.views.values()].filter((r) => trigger.userId !== undefined && r.userId === trigger.userId);
    const top = mine.at(-1)?.view;
    const root = top ? String(top.root_view_id) : undefined;
    if (root !== undefined && mine.filter((r) => r.view.root_view_id === root).length >= MAX_STACK) fail('push_limit_reached');
    const id = ctx.state.nextViewId();
    const extra = root !== undefined ? { root_view_id: root, previous_view_id: top?.id ?? null } : {};
    return { view: store(ctx, buildView(ctx, input, id, extra), trigger) };
  },

  'views.update': (ctx) => {
    const record = findView(ctx);
    assertHash(ctx, record.view);
    const input = readView(ctx, record.view.type === 'home' ? 'home' : 'modal');
    assertExternalIdFree(ctx, input, String(record.view.id));
    record.view = buildView(ctx, input, String(record.view.id), {
      root_view_id: record.view.root_view_id,
      previous_view_id: record.view.previous_view_id,
    });
    record.updatedAt = ctx.state.nowMs();
    return { view: structuredClone(record.view) };
  },

  'views.publish': (ctx) => {
    const userId = str(ctx.params, 'user_id');
    if (userId === undefined || !ctx.state.user(ctx.team, userId)) fail('user_not_found');
    const input = readView(ctx, 'home');
    const previous = ctx.team.homeTabs.get(userId);
    if (previous) assertHash(ctx, previous.view);
    // Slack keeps one home view id per user across publishes.
    const id = previous ? String(previous.view.id) : ctx.state.nextViewId();
    const view = buildView(ctx, input, id, {});
    ctx.team.homeTabs.set(userId, { view, userId, updatedAt: ctx.state.nowMs() });
    return { view: structuredClone(view) };
  },
};
