/** `/incident runbook <service> edit`: paste a runbook's markdown for this workspace. */
export const RUNBOOK_MODAL = 'runbook_edit_modal';
export const RUNBOOK_INPUT = 'runbook_markdown';
export const RUNBOOK_URL_INPUT = 'runbook_url';
/** Slack's plain_text_input holds at most 3000 characters; longer runbooks go in RUNBOOKS_DIR or behind a link. */
export const MODAL_MARKDOWN_MAX = 3000;

export function runbookModal(opts: { service: string; markdown?: string; url?: string }) {
  const markdown = opts.markdown && opts.markdown.length <= MODAL_MARKDOWN_MAX ? opts.markdown : undefined;
  const tooLong = !!opts.markdown && !markdown;
  return {
    type: 'modal' as const,
    callback_id: RUNBOOK_MODAL,
    // Which service only; the workspace and the editor's role come from the signed submission.
    private_metadata: JSON.stringify({ service: opts.service }),
    title: { type: 'plain_text' as const, text: 'Edit runbook' },
    submit: { type: 'plain_text' as const, text: 'Save' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Runbook for *${opts.service.replace(/[<>&]/g, '')}* in this workspace (it wins over \`${opts.service.replace(/[<>&`]/g, '')}.md\` in the runbooks folder). Tag steps with \`[safe]\`, \`[caution]\` or \`[dangerous]\`.${tooLong ? ' The stored runbook is longer than this form allows, so it is not shown; saving replaces it.' : ''}`,
          },
        ],
      },
      {
        type: 'input',
        block_id: RUNBOOK_INPUT,
        optional: true,
        label: { type: 'plain_text', text: 'Markdown' },
        element: {
          type: 'plain_text_input',
          action_id: RUNBOOK_INPUT,
          multiline: true,
          max_length: MODAL_MARKDOWN_MAX,
          placeholder: { type: 'plain_text', text: '## Mitigation  - [caution] Roll back the last deploy' },
          ...(markdown ? { initial_value: markdown } : {}),
        },
      },
      {
        type: 'input',
        block_id: RUNBOOK_URL_INPUT,
        optional: true,
        label: { type: 'plain_text', text: 'Link to the full runbook' },
        element: {
          type: 'url_text_input',
          action_id: RUNBOOK_URL_INPUT,
          ...(opts.url ? { initial_value: opts.url } : {}),
        },
      },
    ],
  };
}

/** The service named in a submitted modal's metadata (untrusted: re-validated by the caller). */
export function modalService(privateMetadata: string | undefined): string | undefined {
  try {
    const o = JSON.parse(privateMetadata ?? '') as { service?: unknown };
    return typeof o.service === 'string' ? o.service : undefined;
  } catch {
    return undefined;
  }
}
