import { escapeHtml, mrkdwnToHtml, plainToHtml, type RenderContext } from './mrkdwn.html';

/**
 * Block Kit → HTML, close enough to Slack's look for trying the bot. Interactive elements carry
 * data-* attributes (action id, block id, value) that the page script turns into signed block_actions.
 * Pure: everything it needs comes in `ctx`.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const attr = (v: unknown) => escapeHtml(typeof v === 'string' ? v : JSON.stringify(v ?? ''));

export function textObject(t: unknown, ctx: RenderContext): string {
  if (!isObj(t)) return '';
  return t.type === 'mrkdwn' ? mrkdwnToHtml(str(t.text), ctx) : plainToHtml(str(t.text), t.emoji !== false);
}

const plain = (t: unknown): string => (isObj(t) ? str(t.text) : '');

export interface Option {
  text: string;
  value: string;
}

/** Options of a select-like element, flattening option_groups. */
export function optionsOf(el: Obj): Option[] {
  const flat = (list: unknown) => (Array.isArray(list) ? list.filter(isObj).map((o) => ({ text: plain(o.text), value: str(o.value) })) : []);
  if (Array.isArray(el.option_groups)) return el.option_groups.filter(isObj).flatMap((g) => flat(g.options));
  return flat(el.options);
}

function optionTags(options: Option[], selected: string[], placeholder?: string): string {
  const head = placeholder !== undefined ? `<option value="" ${selected.length ? '' : 'selected'} disabled>${escapeHtml(placeholder)}</option>` : '';
  return head + options.map((o) => `<option value="${attr(o.value)}"${selected.includes(o.value) ? ' selected' : ''}>${plainToHtml(o.text)}</option>`).join('');
}

/** Users and channels for the *_select elements. */
export interface Directory {
  users: Option[];
  channels: Option[];
}

function interactive(el: Obj, blockId: string, ctx: RenderContext, dir: Directory): string {
  const type = str(el.type);
  const common = `data-kind="${attr(type)}" data-action-id="${attr(el.action_id)}" data-block-id="${attr(blockId)}"`;
  switch (type) {
    case 'button': {
      const style = el.style === 'primary' || el.style === 'danger' ? ` btn-${el.style}` : '';
      const confirm = isObj(el.confirm) ? ` data-confirm="${attr(plain(el.confirm.title) + '\n\n' + plain(el.confirm.text))}"` : '';
      const url = typeof el.url === 'string' ? ` data-url="${attr(el.url)}"` : '';
      return `<button type="button" class="bk-button${style}" ${common} data-value="${attr(el.value)}" data-text="${attr(plain(el.text))}"${confirm}${url}>${textObject(el.text, ctx)}</button>`;
    }
    case 'static_select':
    case 'overflow': {
      const opts = optionsOf(el);
      const initial = isObj(el.initial_option) ? [str(el.initial_option.value)] : [];
      const ph = type === 'overflow' ? '⋯' : plain(el.placeholder) || 'Select…';
      return `<select class="bk-select" ${common}>${optionTags(opts, initial, ph)}</select>`;
    }
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      const list = type === 'users_select' ? dir.users : dir.channels;
      const initial = str(el.initial_user ?? el.initial_conversation ?? el.initial_channel);
      return `<select class="bk-select" ${common}>${optionTags(list, initial ? [initial] : [], plain(el.placeholder) || 'Select…')}</select>`;
    }
    case 'image':
      return `<img class="bk-thumb" src="${attr(el.image_url)}" alt="${attr(el.alt_text)}">`;
    default:
      return `<span class="bk-unsupported" title="not rendered by the sandbox">[${escapeHtml(type)}]</span>`;
  }
}

/** A form control inside an input block (modals). Names carry block and action ids for the submission. */
export function inputControl(el: Obj, blockId: string, dir: Directory): string {
  const type = str(el.type);
  const data = `data-input data-type="${attr(type)}" data-block="${attr(blockId)}" data-action="${attr(el.action_id)}"`;
  const ph = plain(el.placeholder);
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const value = attr(el.initial_value ?? '');
      const max = typeof el.max_length === 'number' ? ` maxlength="${el.max_length}"` : '';
      if (el.multiline === true) return `<textarea ${data} rows="4" placeholder="${attr(ph)}"${max}>${value}</textarea>`;
      const html = type === 'number_input' ? 'number' : type === 'email_text_input' ? 'email' : type === 'url_text_input' ? 'url' : 'text';
      return `<input type="${html}" ${data} value="${value}" placeholder="${attr(ph)}"${max}>`;
    }
    case 'static_select':
    case 'multi_static_select': {
      const initial = [el.initial_option, ...(Array.isArray(el.initial_options) ? el.initial_options : [])].filter(isObj).map((o) => str(o.value));
      const multiple = type.startsWith('multi_') ? ' multiple' : '';
      return `<select ${data}${multiple}>${optionTags(optionsOf(el), initial, multiple ? undefined : ph || 'Select…')}</select>`;
    }
    case 'users_select':
    case 'multi_users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_conversations_select':
    case 'multi_channels_select': {
      const list = type.includes('users') ? dir.users : dir.channels;
      const initial = [el.initial_user, el.initial_conversation, el.initial_channel, ...(Array.isArray(el.initial_users) ? el.initial_users : []), ...(Array.isArray(el.initial_conversations) ? el.initial_conversations : []), ...(Array.isArray(el.initial_channels) ? el.initial_channels : [])].map(str).filter(Boolean);
      const multiple = type.startsWith('multi_') ? ' multiple' : '';
      return `<select ${data}${multiple}>${optionTags(list, initial, multiple ? undefined : ph || 'Select…')}</select>`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const kind = type === 'checkboxes' ? 'checkbox' : 'radio';
      const initial = [el.initial_option, ...(Array.isArray(el.initial_options) ? el.initial_options : [])].filter(isObj).map((o) => str(o.value));
      const name = escapeHtml(`${blockId}.${str(el.action_id)}`);
      const items = optionsOf(el).map((o) => `<label class="choice"><input type="${kind}" name="${name}" value="${attr(o.value)}"${initial.includes(o.value) ? ' checked' : ''}> ${plainToHtml(o.text)}</label>`);
      return `<div ${data}>${items.join('')}</div>`;
    }
    case 'datepicker':
      return `<input type="date" ${data} value="${attr(el.initial_date ?? '')}">`;
    case 'timepicker':
      return `<input type="time" ${data} value="${attr(el.initial_time ?? '')}">`;
    default:
      return `<span class="bk-unsupported">[${escapeHtml(type)} is not rendered by the sandbox]</span>`;
  }
}

function richText(block: Obj, ctx: RenderContext): string {
  const leaf = (e: Obj): string => {
    const s = e.style as Obj | undefined;
    let html: string;
    switch (e.type) {
      case 'text':
        html = escapeHtml(str(e.text)).replace(/\n/g, '<br>');
        break;
      case 'link':
        html = `<a href="${attr(e.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(str(e.text) || str(e.url))}</a>`;
        break;
      case 'user':
        html = `<span class="mention">@${escapeHtml(ctx.userName(str(e.user_id)))}</span>`;
        break;
      case 'channel':
        html = `<span class="mention">#${escapeHtml(ctx.channelName(str(e.channel_id)) ?? str(e.channel_id))}</span>`;
        break;
      case 'emoji':
        html = plainToHtml(`:${str(e.name)}:`);
        break;
      default:
        html = '';
    }
    if (s?.bold) html = `<b>${html}</b>`;
    if (s?.italic) html = `<i>${html}</i>`;
    if (s?.strike) html = `<s>${html}</s>`;
    if (s?.code) html = `<code>${html}</code>`;
    return html;
  };
  const section = (sec: Obj): string => {
    const inner = (Array.isArray(sec.elements) ? sec.elements.filter(isObj) : []).map((e) => (Array.isArray(e.elements) ? section(e) : leaf(e))).join('');
    switch (sec.type) {
      case 'rich_text_preformatted':
        return `<pre>${inner}</pre>`;
      case 'rich_text_quote':
        return `<blockquote>${inner}</blockquote>`;
      case 'rich_text_list':
        return `<ul>${(Array.isArray(sec.elements) ? sec.elements.filter(isObj) : []).map((e) => `<li>${section(e)}</li>`).join('')}</ul>`;
      default:
        return `<div>${inner}</div>`;
    }
  };
  return (Array.isArray(block.elements) ? block.elements.filter(isObj) : []).map(section).join('');
}

export interface BlockOptions {
  /** Errors from a view_submission's `response_action: errors`, by block id. */
  errors?: Record<string, string>;
}

export function blockToHtml(block: unknown, ctx: RenderContext, dir: Directory, opts: BlockOptions = {}): string {
  if (!isObj(block)) return '';
  const id = str(block.block_id);
  switch (block.type) {
    case 'header':
      return `<div class="bk-header">${textObject(block.text, ctx)}</div>`;
    case 'divider':
      return '<hr class="bk-divider">';
    case 'section': {
      const text = block.text ? `<div class="bk-text">${textObject(block.text, ctx)}</div>` : '';
      const fields = Array.isArray(block.fields) ? `<div class="bk-fields">${block.fields.map((f) => `<div class="bk-field">${textObject(f, ctx)}</div>`).join('')}</div>` : '';
      const acc = isObj(block.accessory) ? `<div class="bk-accessory">${interactive(block.accessory, id, ctx, dir)}</div>` : '';
      return `<div class="bk-section"><div class="bk-main">${text}${fields}</div>${acc}</div>`;
    }
    case 'context': {
      const els = (Array.isArray(block.elements) ? block.elements : []).map((e) => (isObj(e) && e.type === 'image' ? interactive(e, id, ctx, dir) : `<span>${textObject(e, ctx)}</span>`));
      return `<div class="bk-context">${els.join(' ')}</div>`;
    }
    case 'actions':
      return `<div class="bk-actions">${(Array.isArray(block.elements) ? block.elements.filter(isObj) : []).map((e) => interactive(e, id, ctx, dir)).join('')}</div>`;
    case 'image':
      return `<figure class="bk-image">${block.title ? `<figcaption>${textObject(block.title, ctx)}</figcaption>` : ''}<img src="${attr(block.image_url)}" alt="${attr(block.alt_text)}"></figure>`;
    case 'rich_text':
      return `<div class="bk-rich">${richText(block, ctx)}</div>`;
    case 'markdown':
      return `<div class="bk-text">${escapeHtml(str(block.text)).replace(/\n/g, '<br>')}</div>`;
    case 'input': {
      const el = isObj(block.element) ? block.element : {};
      const err = opts.errors?.[id];
      const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
      const hint = block.hint ? `<div class="hint">${textObject(block.hint, ctx)}</div>` : '';
      return `<div class="bk-input${err ? ' has-error' : ''}"><label>${plainToHtml(plain(block.label))}${optional}</label>${inputControl(el, id, dir)}${hint}${err ? `<div class="error">${escapeHtml(err)}</div>` : ''}</div>`;
    }
    case 'file':
      return '<div class="bk-context">📎 a file</div>';
    default:
      return `<div class="bk-unsupported">[${escapeHtml(str(block.type))} block]</div>`;
  }
}

export function blocksToHtml(blocks: unknown[], ctx: RenderContext, dir: Directory, opts: BlockOptions = {}): string {
  return blocks.map((b) => blockToHtml(b, ctx, dir, opts)).join('');
}
