import type { FakeChannel, FakeFile, FakeMessage, FakeUser, TeamState } from './slack-fake.types';

/** Wire shapes, trimmed to the fields Slack documents and bots commonly read. */

export function channelToApi(c: FakeChannel, viewer: string): Record<string, unknown> {
  if (c.is_im) {
    return { id: c.id, created: c.created, is_im: true, is_org_shared: false, user: c.imUser, is_user_deleted: false, priority: 0 };
  }
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.is_private,
    is_group: c.is_private,
    is_im: false,
    is_mpim: false,
    is_private: c.is_private,
    created: c.created,
    creator: c.creator,
    is_archived: c.is_archived,
    is_general: false,
    unlinked: 0,
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: c.teamId,
    is_member: c.members.includes(viewer),
    num_members: c.members.length,
    topic: { ...c.topic },
    purpose: { ...c.purpose },
    previous_names: [],
  };
}

/** Deep copy so callers can't mutate stored state through a response. */
export function messageToApi(m: FakeMessage, withMetadata = true): Record<string, unknown> {
  const copy = structuredClone(m) as unknown as Record<string, unknown>;
  if (!withMetadata) delete copy.metadata;
  return copy;
}

function tzOffsetSeconds(tz: string, at: Date): number {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
    if (!m) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  } catch {
    return 0;
  }
}

export function userToApi(u: FakeUser, team: TeamState, nowMs: number): Record<string, unknown> {
  const isBotUser = u.id === team.botUserId;
  return {
    id: u.id,
    team_id: u.teamId,
    name: u.name,
    deleted: u.deleted,
    real_name: u.realName,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: tzOffsetSeconds(u.tz, new Date(nowMs)),
    is_admin: u.isAdmin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: Math.floor(nowMs / 1000),
    profile: {
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.name,
      display_name_normalized: u.name,
      ...(u.email !== undefined ? { email: u.email } : {}),
      ...(isBotUser ? { bot_id: team.botId, api_app_id: team.appId } : {}),
      image_48: `https://avatars.slack-fake.test/${u.id}_48.png`,
      team: u.teamId,
    },
  };
}

export function fileToApi(f: FakeFile, baseUrl: string): Record<string, unknown> {
  const ext = /\.([A-Za-z0-9]+)$/.exec(f.name)?.[1]?.toLowerCase() ?? 'text';
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: ext === 'md' ? 'text/markdown' : ext === 'json' ? 'application/json' : 'text/plain',
    filetype: ext,
    pretty_type: ext.toUpperCase(),
    user: f.user,
    user_team: f.teamId,
    size: f.content?.length ?? f.length,
    mode: 'hosted',
    is_external: false,
    is_public: false,
    url_private: `${baseUrl}/files/${f.id}/${encodeURIComponent(f.name)}`,
    url_private_download: `${baseUrl}/files/${f.id}/download/${encodeURIComponent(f.name)}`,
    permalink: `${baseUrl}/files/${f.teamId}/${f.id}/${encodeURIComponent(f.name)}`,
    channels: f.channels.filter((c) => c.startsWith('C')),
    ims: f.channels.filter((c) => c.startsWith('D')),
    groups: [],
  };
}
