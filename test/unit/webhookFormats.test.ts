import type { TicketEvent } from '../../domain/notification/event';
import { factsOf, noteOf, rejectionOf, WEBHOOK_FORMATS, type WebhookMessage, webhookPayload } from '../../domain/notification/webhookFormats';

const event: TicketEvent = {
  id: 'INC0000042/4/commented',
  type: 'commented',
  at: '2026-03-02T09:15:00.000Z',
  actor: 'carol',
  detail: { text: 'Rolled back <b>v2</b> & [restarted](http://evil.example) the gateway' },
  ticket: {
    number: 'INC0000042',
    kind: 'incident',
    title: 'Card payments fail <script>',
    priority: 'P1',
    state: 'in_progress',
    assignmentGroup: 'payments',
    assignee: 'dave',
    openedBy: 'rita',
    watchers: [],
  },
};
const message: WebhookMessage = { event, subject: '[INC0000042] New comment from carol: Card payments fail <script>', url: 'https://flowdesk.bank.example/tickets/INC0000042' };

describe('webhook payload formats', () => {
  it('generic: the TicketEvent as produced, plus the link', () => {
    expect(webhookPayload('generic', message)).toEqual({ ...event, url: message.url });
  });

  it('slack: fallback text and Block Kit blocks, with mrkdwn control characters escaped', () => {
    const payload = webhookPayload('slack', message) as { text: string; blocks: any[] };
    expect(payload.text).toBe('[INC0000042] New comment from carol: Card payments fail &lt;script&gt; <https://flowdesk.bank.example/tickets/INC0000042|INC0000042>');
    expect(payload.blocks.map((b) => b.type)).toEqual(['section', 'section', 'section', 'context']);
    expect(payload.blocks[0].text).toEqual({ type: 'mrkdwn', text: '*<https://flowdesk.bank.example/tickets/INC0000042|INC0000042>* [INC0000042] New comment from carol: Card payments fail &lt;script&gt;' });
    expect(payload.blocks[1].fields).toContainEqual({ type: 'mrkdwn', text: '*Priority*\nP1' });
    expect(payload.blocks[1].fields.length).toBeLessThanOrEqual(10);
    expect(payload.blocks[2].text.text).toBe('>Rolled back &lt;b&gt;v2&lt;/b&gt; &amp; [restarted](http://evil.example) the gateway');
  });

  it('teams: a message with one Adaptive Card attachment, facts and an Open action', () => {
    const payload = webhookPayload('teams', message) as any;
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const [attachment] = payload.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4' });
    expect(attachment.content.body[0]).toMatchObject({ type: 'TextBlock', text: message.subject, wrap: true });
    expect(attachment.content.body[1].facts).toContainEqual({ title: 'Assignee', value: 'dave' });
    expect(attachment.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open INC0000042', url: message.url }]);
  });

  it('wecom: markdown content, priority coloured, user text unable to open tags or links', () => {
    const payload = webhookPayload('wecom', message) as { msgtype: string; markdown: { content: string } };
    expect(payload.msgtype).toBe('markdown');
    const { content } = payload.markdown;
    expect(content).toContain('> Priority: <font color="warning">P1</font>');
    expect(content).toContain(`[Open INC0000042](${message.url})`);
    expect(content).toContain('Card payments fail ＜script＞');
    expect(content).toContain('Rolled back ＜b＞v2＜/b＞ & [restarted］(http://evil.example)');
    expect(content).not.toContain('<script>');
  });

  it('wecom: a long comment is cut so the content stays within 4096 bytes', () => {
    const long = { ...message, event: { ...event, detail: { text: '故障'.repeat(3000) } } };
    const content = (webhookPayload('wecom', long) as { markdown: { content: string } }).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content).toContain('…');
    expect(content).toMatch(/\[Open INC0000042\]/);
  });

  it('dingtalk: markdown with a title and text carrying a fixed keyword', () => {
    const payload = webhookPayload('dingtalk', message) as { msgtype: string; markdown: { title: string; text: string } };
    expect(payload.msgtype).toBe('markdown');
    expect(payload.markdown.title).toBe('[INC0000042] New comment from carol: Card payments fail ＜script＞');
    expect(payload.markdown.text).toMatch(/^#### /);
    expect(payload.markdown.text).toContain('- **Priority**: P1');
    expect(payload.markdown.text).toContain(`[Open INC0000042](${message.url})`);
    expect(payload.markdown.text).toContain('FlowDesk');
  });

  it('every format is JSON-serialisable', () => {
    for (const format of WEBHOOK_FORMATS) expect(() => JSON.stringify(webhookPayload(format, message))).not.toThrow();
  });

  it('lists the facts of an event and its free text', () => {
    expect(factsOf({ ...event, type: 'state_changed', detail: { from: 'new', to: 'in_progress' } })).toContainEqual(['Change', 'new → in_progress']);
    expect(factsOf({ ...event, type: 'sla_breach', detail: { sla: 'resolution', dueAt: '2026-03-02T13:00:00Z' } })).toContainEqual(['Due', 'resolution at 2026-03-02T13:00:00Z']);
    expect(noteOf(event)).toMatch(/^Rolled back/);
    expect(noteOf({ ...event, type: 'created' })).toBeNull();
  });
});

describe('reading a webhook answer', () => {
  it('accepts 2xx', () => {
    expect(rejectionOf('slack', 200, 'ok')).toBeNull();
    expect(rejectionOf('teams', 202, '')).toBeNull();
    expect(rejectionOf('generic', 204, '')).toBeNull();
  });

  it('retries 5xx and 429 (with its Retry-After), gives up on other 4xx and redirects', () => {
    expect(rejectionOf('generic', 503, 'down for maintenance')).toEqual({ message: 'answered HTTP 503: down for maintenance', retryable: true });
    expect(rejectionOf('slack', 429, 'rate_limited', '30')).toEqual({ message: 'answered HTTP 429: rate_limited', retryable: true, retryAfterSeconds: 30 });
    expect(rejectionOf('slack', 429, '', 'Wed, 21 Oct 2026 07:28:00 GMT')).toEqual({ message: 'answered HTTP 429', retryable: true });
    expect(rejectionOf('slack', 400, 'invalid_payload')).toEqual({ message: 'answered HTTP 400: invalid_payload', retryable: false });
    expect(rejectionOf('teams', 404, '')).toMatchObject({ retryable: false });
    expect(rejectionOf('generic', 302, '')).toMatchObject({ retryable: false });
  });

  it('reads the errcode WeCom and DingTalk send with a 200', () => {
    expect(rejectionOf('wecom', 200, '{"errcode":0,"errmsg":"ok"}')).toBeNull();
    expect(rejectionOf('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}')).toEqual({ message: 'answered errcode 310000: {"errcode":310000,"errmsg":"sign not match"}', retryable: false });
    expect(rejectionOf('dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}')).toMatchObject({ retryable: true });
    expect(rejectionOf('wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}')).toMatchObject({ retryable: true });
    // Other formats do not speak errcode.
    expect(rejectionOf('generic', 200, '{"errcode":1}')).toBeNull();
  });
});
