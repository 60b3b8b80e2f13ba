import { fail, isRecord } from './slack-fake.errors';

/**
 * Block Kit and naming rules, mirroring the limits Slack documents. Errors use Slack's
 * `[ERROR] reason [json-pointer:/path]` style so failures read like production ones.
 */

export const CHANNEL_NAME_MAX = 80;

export function validateChannelName(name: string | undefined): string {
  if (name === undefined || name.trim() === '') return fail('invalid_name_required');
  if (name.length > CHANNEL_NAME_MAX) fail('invalid_name_maxlength');
  if (!/^[a-z0-9_-]+$/.test(name)) fail('invalid_name_specials');
  if (!/[a-z0-9]/.test(name)) fail('invalid_name_punctuation');
  return name;
}

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'image', 'input', 'rich_text', 'file', 'video', 'markdown']);
const ELEMENT_TYPES = new Set([
  'button', 'checkboxes', 'datepicker', 'datetimepicker', 'timepicker', 'image', 'overflow', 'radio_buttons',
  'plain_text_input', 'email_text_input', 'url_text_input', 'number_input', 'rich_text_input', 'file_input',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select',
  'multi_channels_select', 'workflow_button',
]);
const INPUT_ONLY = new Set(['plain_text_input', 'email_text_input', 'url_text_input', 'number_input', 'rich_text_input', 'file_input']);

type Issues = string[];

const err = (issues: Issues, reason: string, pointer: string): void => {
  issues.push(`[ERROR] ${reason} [json-pointer:${pointer}]`);
};

function checkText(
  issues: Issues,
  v: unknown,
  ptr: string,
  opts: { max: number; plainOnly?: boolean; optional?: boolean },
): void {
  if (v === undefined && opts.optional) return;
  if (!isRecord(v)) return err(issues, 'must be a text object', ptr);
  const allowed = opts.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!allowed.includes(String(v.type))) err(issues, `must be one of: ${allowed.join(', ')}`, `${ptr}/type`);
  if (typeof v.text !== 'string' || v.text.length === 0) return err(issues, 'must be more than 0 characters', `${ptr}/text`);
  if (v.text.length > opts.max) err(issues, `must be less than ${opts.max + 1} characters`, `${ptr}/text`);
}

function checkMaxLen(issues: Issues, v: unknown, max: number, ptr: string): void {
  if (typeof v === 'string' && v.length > max) err(issues, `must be less than ${max + 1} characters`, ptr);
}

function checkElement(issues: Issues, el: unknown, ptr: string, actionIds: Set<string>, inInput: boolean): void {
  if (!isRecord(el)) return err(issues, 'must be an object', ptr);
  const type = String(el.type);
  if (!ELEMENT_TYPES.has(type)) return err(issues, `unsupported type: ${type}`, `${ptr}/type`);
  if (INPUT_ONLY.has(type) && !inInput) err(issues, `${type} is only allowed in input blocks`, `${ptr}/type`);
  if (el.action_id !== undefined) {
    const id = String(el.action_id);
    checkMaxLen(issues, id, 255, `${ptr}/action_id`);
    if (actionIds.has(id)) err(issues, `duplicate action_id: ${id}`, `${ptr}/action_id`);
    actionIds.add(id);
  }
  if (type === 'button') {
    checkText(issues, el.text, `${ptr}/text`, { max: 75, plainOnly: true });
    checkMaxLen(issues, el.value, 2000, `${ptr}/value`);
    checkMaxLen(issues, el.url, 3000, `${ptr}/url`);
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
      err(issues, 'must be one of: primary, danger', `${ptr}/style`);
    }
  }
  if (type === 'image') {
    if (typeof el.image_url !== 'string' && el.slack_file === undefined) err(issues, 'missing required field: image_url', ptr);
    if (typeof el.alt_text !== 'string') err(issues, 'missing required field: alt_text', ptr);
  }
  if (el.placeholder !== undefined) checkText(issues, el.placeholder, `${ptr}/placeholder`, { max: 150, plainOnly: true });
  if (Array.isArray(el.options)) {
    if (el.options.length > 100) err(issues, 'no more than 100 items allowed', `${ptr}/options`);
    el.options.forEach((o, i) => {
      if (!isRecord(o)) return err(issues, 'must be an object', `${ptr}/options/${i}`);
      checkText(issues, o.text, `${ptr}/options/${i}/text`, { max: 75 });
      if (typeof o.value !== 'string' || o.value.length === 0) err(issues, 'missing required field: value', `${ptr}/options/${i}`);
      checkMaxLen(issues, o.value, 150, `${ptr}/options/${i}/value`);
    });
  } else if ((type === 'static_select' || type === 'multi_static_select') && !Array.isArray(el.option_groups)) {
    err(issues, 'must provide either options or option_groups', ptr);
  }
}

function checkBlock(issues: Issues, b: unknown, ptr: string, blockIds: Set<string>): void {
  if (!isRecord(b)) return err(issues, 'must be an object', ptr);
  const type = String(b.type);
  if (!BLOCK_TYPES.has(type)) return err(issues, `unsupported type: ${type}`, `${ptr}/type`);
  if (b.block_id !== undefined) {
    const id = String(b.block_id);
    checkMaxLen(issues, id, 255, `${ptr}/block_id`);
    if (blockIds.has(id)) err(issues, `duplicate block_id: ${id}`, `${ptr}/block_id`);
    blockIds.add(id);
  }
  // Slack scopes action_id uniqueness to the containing block.
  const actionIds = new Set<string>();
  switch (type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) err(issues, 'must provide either text or fields', ptr);
      checkText(issues, b.text, `${ptr}/text`, { max: 3000, optional: true });
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields)) err(issues, 'must be an array', `${ptr}/fields`);
        else {
          if (b.fields.length > 10) err(issues, 'no more than 10 items allowed', `${ptr}/fields`);
          b.fields.forEach((f, i) => checkText(issues, f, `${ptr}/fields/${i}`, { max: 2000 }));
        }
      }
      if (b.accessory !== undefined) checkElement(issues, b.accessory, `${ptr}/accessory`, actionIds, false);
      break;
    }
    case 'header':
      checkText(issues, b.text, `${ptr}/text`, { max: 150, plainOnly: true });
      break;
    case 'context': {
      if (!Array.isArray(b.elements) || b.elements.length === 0) return err(issues, 'must provide at least 1 item', `${ptr}/elements`);
      if (b.elements.length > 10) err(issues, 'no more than 10 items allowed', `${ptr}/elements`);
      b.elements.forEach((e, i) => {
        if (isRecord(e) && e.type === 'image') checkElement(issues, e, `${ptr}/elements/${i}`, actionIds, false);
        else checkText(issues, e, `${ptr}/elements/${i}`, { max: 3000 });
      });
      break;
    }
    case 'actions': {
      if (!Array.isArray(b.elements) || b.elements.length === 0) return err(issues, 'must provide at least 1 item', `${ptr}/elements`);
      if (b.elements.length > 25) err(issues, 'no more than 25 items allowed', `${ptr}/elements`);
      b.elements.forEach((e, i) => checkElement(issues, e, `${ptr}/elements/${i}`, actionIds, false));
      break;
    }
    case 'image':
      if (typeof b.image_url !== 'string' && b.slack_file === undefined) err(issues, 'missing required field: image_url', ptr);
      if (typeof b.alt_text !== 'string') err(issues, 'missing required field: alt_text', ptr);
      checkMaxLen(issues, b.alt_text, 2000, `${ptr}/alt_text`);
      checkText(issues, b.title, `${ptr}/title`, { max: 2000, plainOnly: true, optional: true });
      break;
    case 'input':
      checkText(issues, b.label, `${ptr}/label`, { max: 2000, plainOnly: true });
      checkText(issues, b.hint, `${ptr}/hint`, { max: 2000, plainOnly: true, optional: true });
      if (b.element === undefined) err(issues, 'missing required field: element', ptr);
      else checkElement(issues, b.element, `${ptr}/element`, actionIds, true);
      break;
    case 'rich_text':
      if (!Array.isArray(b.elements)) err(issues, 'must be an array', `${ptr}/elements`);
      break;
    case 'file':
      if (typeof b.external_id !== 'string') err(issues, 'missing required field: external_id', ptr);
      if (b.source !== 'remote') err(issues, 'must be one of: remote', `${ptr}/source`);
      break;
    case 'markdown':
      if (typeof b.text !== 'string' || b.text.length === 0) err(issues, 'must be more than 0 characters', `${ptr}/text`);
      checkMaxLen(issues, b.text, 12000, `${ptr}/text`);
      break;
    default:
      break;
  }
}

export type Surface = 'message' | 'modal' | 'home';

/** Returns Slack-style messages for every problem found; empty means valid. */
export function blockIssues(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const issues: Issues = [];
  if (!Array.isArray(blocks)) {
    err(issues, 'must be an array', pointer);
    return issues;
  }
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) err(issues, `no more than ${max} items allowed`, pointer);
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => checkBlock(issues, b, `${pointer}/${i}`, blockIds));
  return issues;
}

/** chat.* style: bad JSON/shape → invalid_blocks_format, bad content → invalid_blocks. */
export function assertMessageBlocks(blocks: unknown): void {
  if (blocks === undefined) return;
  if (!Array.isArray(blocks)) fail('invalid_blocks_format', ['[ERROR] must be an array [json-pointer:/blocks]']);
  const issues = blockIssues(blocks, 'message');
  if (issues.length > 0) fail('invalid_blocks', issues);
}

/** views.* rules; Slack reports these as invalid_arguments with pointers under /view. */
export function assertView(view: unknown, expected?: 'modal' | 'home'): Record<string, unknown> {
  if (!isRecord(view)) return fail('invalid_arguments', ['[ERROR] missing required field: view']);
  const issues: Issues = [];
  const type = String(view.type);
  if (type !== 'modal' && type !== 'home') err(issues, 'must be one of: modal, home', '/view/type');
  else if (expected !== undefined && type !== expected) err(issues, `must be ${expected}`, '/view/type');
  if (type === 'modal') {
    checkText(issues, view.title, '/view/title', { max: 24, plainOnly: true });
    checkText(issues, view.submit, '/view/submit', { max: 24, plainOnly: true, optional: true });
    checkText(issues, view.close, '/view/close', { max: 24, plainOnly: true, optional: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) err(issues, 'submit is required when an input block is present', '/view/submit');
  }
  checkMaxLen(issues, view.private_metadata, 3000, '/view/private_metadata');
  checkMaxLen(issues, view.callback_id, 255, '/view/callback_id');
  checkMaxLen(issues, view.external_id, 255, '/view/external_id');
  issues.push(...blockIssues(view.blocks, type === 'home' ? 'home' : 'modal', '/view/blocks'));
  if (issues.length > 0) fail('invalid_arguments', issues);
  return view;
}
