import { describe, expect, it } from 'vitest';
import { formatSlackDate, mrkdwnToHtml, type RenderContext } from '../../../src/sandbox/mrkdwn.html';

const ctx: RenderContext = {
  userName: (id) => ({ U1: 'Alice Adams' })[id] ?? id,
  channelName: (id) => ({ C1: 'inc-1-checkout' })[id],
  tz: 'Europe/London',
  now: new Date('2026-11-21T12:00:00Z'),
};
const html = (s: string) => mrkdwnToHtml(s, ctx);

describe('mrkdwn → HTML', () => {
  it('styles bold, italic, strike and code only at word edges', () => {
    expect(html('*Status*\n_calm_ ~old~ `a*b*c`')).toBe('<b>Status</b><br><i>calm</i> <s>old</s> <code>a*b*c</code>');
    expect(html('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
  });

  it('escapes HTML and decodes Slack’s own escapes once', () => {
    expect(html('<script>alert(1)</script>')).not.toContain('<script>');
    expect(html('a &lt;b&gt; &amp; "c"')).toBe('a &lt;b&gt; &amp; &quot;c&quot;');
  });

  it('renders mentions, channel links and safe links; refuses javascript: URLs', () => {
    expect(html('<@U1> in <#C1|ignored>')).toBe('<span class="mention" data-user="U1">@Alice Adams</span> in <a class="mention channel-link" href="#" data-channel="C1">#inc-1-checkout</a>');
    expect(html('<https://x.test/a?b=1&amp;c=2|the dashboard>')).toBe('<a href="https://x.test/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the dashboard</a>');
    expect(html('<javascript:alert(1)|click>')).toBe('click');
    expect(html('<!here> <@U9>')).toBe('<span class="mention">@here</span> <span class="mention" data-user="U9">@U9</span>');
  });

  it('renders <!date> in the reader’s time zone, with the fallback as a title', () => {
    const secs = Date.parse('2026-11-21T09:05:00Z') / 1000;
    expect(html(`<!date^${secs}^{date_short_pretty} {time}|2026-11-21 09:05 UTC>`)).toBe('<time title="2026-11-21 09:05 UTC">Today 9:05 AM</time>');
    expect(formatSlackDate(secs, '{date_num} {time_secs}', { ...ctx, tz: 'Asia/Singapore' })).toBe('2026-11-21 5:05:00 PM');
    expect(formatSlackDate(secs - 86_400, '{date_pretty}', ctx)).toBe('Yesterday');
    expect(formatSlackDate(secs - 3 * 86_400, '{date}', ctx)).toBe('November 18th, 2026');
    expect(formatSlackDate(secs, '{ago}', ctx)).toBe('3 hours ago');
  });

  it('renders quotes, code blocks and emoji', () => {
    expect(html('> quoted\n> twice\nafter')).toBe('<blockquote>quoted<br>twice</blockquote>after');
    expect(html('```\nconst x = <b>;\n```')).toBe('<pre>const x = &lt;b&gt;;\n</pre>');
    expect(html(':rotating_light: :no_such_emoji:')).toBe('🚨 :no_such_emoji:');
  });
});
