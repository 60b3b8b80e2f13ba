/** Why an incident has no channel, in words (the reason is Slack's error code). Pure: App Home uses it too. */
const PROBLEM_HINTS: Record<string, string> = {
  name_taken: 'every channel name I tried is taken',
  restricted_action: 'this workspace does not let the app create channels',
  missing_scope: 'the app lacks the channels:manage scope',
};

export const channelProblemText = (reason: string) =>
  PROBLEM_HINTS[reason] ?? (reason.startsWith('invalid_name') ? 'Slack refused every channel name I tried' : reason);
