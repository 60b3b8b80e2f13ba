import { IDS } from '../ids';

/** Posted when the last firing alert of an open incident resolves: the commander may call it mitigated. */
export function allResolvedMessage(incidentId: string, number: number, commander: string | undefined | null) {
  const who = commander ? `<@${commander}>, ` : '';
  return {
    text: 'Every alert on this incident has resolved.',
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:large_green_circle: Every alert on INC-${number} has resolved. ${who}mark it mitigated when you agree.`,
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: IDS.markMitigated,
            text: { type: 'plain_text', text: 'Mark mitigated' },
            value: incidentId,
            style: 'primary',
          },
        ],
      },
    ],
  };
}
