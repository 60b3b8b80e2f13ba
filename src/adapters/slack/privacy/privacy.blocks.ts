import { untrustedMrkdwn as u } from '../../../shared/text';

/** Buttons of an access request DM; the value names the request (the presser's identity comes from Slack). */
export const PRIVACY_IDS = {
  approve: 'privacy_access_approve',
  deny: 'privacy_access_deny',
  requestAccess: 'privacy_request_access',
  /** The declare form's "Private" checkbox (block and action id). */
  inputPrivate: 'private',
} as const;

/** The declare form's "Private" checkbox block. */
export function privateCheckbox(checked = false) {
  const option = {
    text: { type: 'plain_text', text: 'Private' },
    description: { type: 'plain_text', text: 'Security or HR: a private channel; only people you invite can see it.' },
    value: 'private',
  };
  return {
    type: 'input',
    block_id: PRIVACY_IDS.inputPrivate,
    optional: true,
    label: { type: 'plain_text', text: 'Visibility' },
    element: {
      type: 'checkboxes',
      action_id: PRIVACY_IDS.inputPrivate,
      options: [option],
      ...(checked ? { initial_options: [option] } : {}),
    },
  };
}

export interface AccessButtonValue {
  incidentId: string;
  requestId: string;
}

/** The DM the commander (or each admin) gets: who asks, which incident, Approve / Deny. */
export function accessRequestMessage(p: { number: number; title: string; userId: string } & AccessButtonValue) {
  const value = JSON.stringify({ incidentId: p.incidentId, requestId: p.requestId } satisfies AccessButtonValue);
  const text = `:lock: <@${p.userId}> asks to join private incident INC-${p.number}: ${u(p.title)}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          { type: 'button', style: 'primary', action_id: PRIVACY_IDS.approve, text: { type: 'plain_text', text: 'Approve' }, value },
          { type: 'button', style: 'danger', action_id: PRIVACY_IDS.deny, text: { type: 'plain_text', text: 'Deny' }, value },
        ],
      },
    ],
  };
}

/** The refusal a non-member sees for a private incident, with a button to ask for access (no title, no channel). */
export function privateRefusal(number: number) {
  const text = `:lock: INC-${number} is private. Only its members can see it; you can ask its commander for access.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: PRIVACY_IDS.requestAccess,
            text: { type: 'plain_text', text: 'Request access' },
            value: `INC-${number}`,
          },
        ],
      },
    ],
  };
}

/** What the requester hears after the decision (a denial names only the number). */
export const decisionText = (number: number, decision: 'approved' | 'denied', by: string, channelId?: string | null) =>
  decision === 'approved'
    ? `:unlock: <@${by}> approved your request to join INC-${number}${channelId ? `: <#${channelId}>` : ''}.`
    : `:no_entry: <@${by}> denied your request to join INC-${number}.`;
