import { bool, fail, required } from './slack-fake.errors';
import type { MethodHandler } from './slack-fake.methods';

/**
 * `usergroups.users.list` as Slack answers it: `{ users: ['U…'] }` for the group's current members,
 * `no_such_subteam` for an id the team does not have (or a disabled group without include_disabled).
 */
export const usergroupMethods: Record<string, MethodHandler> = {
  'usergroups.users.list': (ctx) => {
    const id = required(ctx.params, 'usergroup');
    const group = ctx.team.usergroups?.get(id);
    if (!group || (group.disabled && !bool(ctx.params, 'include_disabled'))) fail('no_such_subteam');
    return { users: group.users.filter((u) => ctx.team.users.get(u)?.deleted !== true) };
  },

  'usergroups.list': (ctx) => {
    const withUsers = bool(ctx.params, 'include_users');
    const withDisabled = bool(ctx.params, 'include_disabled');
    const groups = [...(ctx.team.usergroups?.values() ?? [])].filter((g) => withDisabled || !g.disabled);
    return {
      usergroups: groups.map((g) => ({
        id: g.id,
        team_id: ctx.team.id,
        is_usergroup: true,
        name: g.name,
        handle: g.handle,
        date_delete: g.disabled ? ctx.state.nowSec() : 0,
        ...(withUsers ? { users: g.users } : {}),
        ...(bool(ctx.params, 'include_count') ? { user_count: g.users.length } : {}),
      })),
    };
  },
};
