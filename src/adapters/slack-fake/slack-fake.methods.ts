import { chatMethods } from './slack-fake-chat.methods';
import { conversationMethods } from './slack-fake-conversations.methods';
import { miscMethods } from './slack-fake-misc.methods';
import { pinMethods } from './slack-fake-pins.methods';
import { viewMethods } from './slack-fake-views.methods';
import { usergroupMethods } from './slack-fake-usergroups.methods';
import type { FakeSlackState } from './slack-fake.state';
import type { Params, TeamState } from './slack-fake.types';

export interface MethodContext {
  state: FakeSlackState;
  team: TeamState;
  params: Params;
  /** http://127.0.0.1:PORT, for URLs the fake hands out (uploads, permalinks). */
  baseUrl: string;
}

/** Returns the success body without `ok`; throws SlackMethodError for `ok: false`. */
export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;

export const METHODS: Record<string, MethodHandler> = {
  ...conversationMethods,
  ...chatMethods,
  ...pinMethods,
  ...viewMethods,
  ...miscMethods,
  ...usergroupMethods,
};

/** Methods whose success changes state; `writeCalls()` filters on these. */
export const WRITE_METHODS = new Set([
  'conversations.create',
  'conversations.invite',
  'conversations.join',
  'conversations.open',
  'conversations.archive',
  'conversations.unarchive',
  'conversations.setTopic',
  'conversations.setPurpose',
  'conversations.kick',
  'conversations.rename',
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.delete',
  'pins.add',
  'pins.remove',
  'reactions.add',
  'reactions.remove',
  'views.open',
  'views.update',
  'views.push',
  'views.publish',
  'files.getUploadURLExternal',
  'files.completeUploadExternal',
]);
