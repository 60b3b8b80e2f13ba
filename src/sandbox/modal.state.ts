import { optionsOf, type Option } from './block-kit.html';

/**
 * Turns what the page's form sent (strings per block/action) into Slack's `view.state.values`, typed by
 * the element each input block declares, and applies the checks Slack's client makes before it submits
 * (required inputs filled, lengths). Pure.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the page sends: block id → action id → a string, several strings, or nothing. */
export type SubmittedValues = Record<string, Record<string, string | string[] | null>>;

const asList = (v: string | string[] | null | undefined): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : v === '' ? [] : [v]);
const optionObject = (o: Option) => ({ text: { type: 'plain_text', text: o.text, emoji: true }, value: o.value });

function stateFor(el: Obj, raw: string | string[] | null | undefined): Obj {
  const type = String(el.type);
  const list = asList(raw);
  const first = list[0] ?? null;
  const pick = () => optionsOf(el).filter((o) => list.includes(o.value)).map(optionObject);
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: first };
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: pick()[0] ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: pick() };
    case 'users_select':
      return { type, selected_user: first };
    case 'multi_users_select':
      return { type, selected_users: list };
    case 'conversations_select':
      return { type, selected_conversation: first };
    case 'multi_conversations_select':
      return { type, selected_conversations: list };
    case 'channels_select':
      return { type, selected_channel: first };
    case 'multi_channels_select':
      return { type, selected_channels: list };
    case 'datepicker':
      return { type, selected_date: first };
    case 'timepicker':
      return { type, selected_time: first };
    default:
      return { type, value: first };
  }
}

export interface ViewState {
  values: Record<string, Record<string, Obj>>;
  /** Client-side refusals (required field empty, too long), by block id. Nothing is sent when present. */
  errors: Record<string, string>;
}

export function viewStateValues(view: Obj, submitted: SubmittedValues): ViewState {
  const values: ViewState['values'] = {};
  const errors: Record<string, string> = {};
  const blocks = Array.isArray(view.blocks) ? view.blocks.filter(isObj) : [];
  for (const b of blocks) {
    if (b.type !== 'input' || !isObj(b.element)) continue;
    const blockId = String(b.block_id ?? '');
    const actionId = String(b.element.action_id ?? '');
    const raw = submitted[blockId]?.[actionId];
    const list = asList(raw);
    if (b.optional !== true && list.length === 0) errors[blockId] = 'Please complete this required field.';
    const max = b.element.max_length;
    const min = b.element.min_length;
    if (typeof max === 'number' && (list[0] ?? '').length > max) errors[blockId] = `Must be at most ${max} characters.`;
    if (typeof min === 'number' && list.length > 0 && (list[0] ?? '').length < min) errors[blockId] = `Must be at least ${min} characters.`;
    values[blockId] = { [actionId]: stateFor(b.element, raw) };
  }
  return { values, errors };
}
