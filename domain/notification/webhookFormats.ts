import type { TicketEvent } from './event';

/** The chat and integration formats an outgoing webhook can speak. */
export const WEBHOOK_FORMATS = ['generic', 'slack', 'teams', 'wecom', 'dingtalk'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** What every format shows: the event, its one-line subject (from the templates) and the ticket's link. */
export interface WebhookMessage {
  event: TicketEvent;
  subject: string;
  url: string;
}

/** The JSON body to POST for `format`. */
export function webhookPayload(format: WebhookFormat, message: WebhookMessage): unknown {
  return FORMATS[format](message);
}

const FORMATS: Record<WebhookFormat, (message: WebhookMessage) => unknown> = {
  // Integrations get the event exactly as the workflow produced it, plus where to look.
  generic: ({ event, url }) => ({ ...event, url }),

  // Slack incoming webhook: `text` is the notification fallback, `blocks` the Block Kit layout.
  slack: ({ event, subject, url }) => {
    const note = noteOf(event);
    return {
      text: `${slackEscape(subject)} <${url}|${event.ticket.number}>`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*<${url}|${event.ticket.number}>* ${slackEscape(subject)}` } },
        { type: 'section', fields: factsOf(event).map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${slackEscape(value)}` })) },
        ...(note ? [{ type: 'section', text: { type: 'mrkdwn', text: `>${slackEscape(truncate(note, 2900)).replace(/\n/g, '\n>')}` } }] : []),
        { type: 'context', elements: [{ type: 'mrkdwn', text: `FlowDesk · ${slackEscape(event.actor)} · ${event.at}` }] },
      ],
    };
  },

  // Teams incoming webhook (Workflows): a message carrying one Adaptive Card attachment.
  teams: ({ event, subject, url }) => {
    const note = noteOf(event);
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: subject, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'FactSet', facts: factsOf(event).map(([title, value]) => ({ title, value })) },
              ...(note ? [{ type: 'TextBlock', text: truncate(note, 2000), wrap: true, isSubtle: true }] : []),
              { type: 'TextBlock', text: `FlowDesk · ${event.actor} · ${event.at}`, size: 'Small', isSubtle: true, wrap: true },
            ],
            actions: [{ type: 'Action.OpenUrl', title: `Open ${event.ticket.number}`, url }],
          },
        },
      ],
    };
  },

  // WeCom (企业微信) group robot: markdown, at most 4096 bytes of UTF-8.
  wecom: ({ event, subject, url }) => {
    const urgent = event.ticket.priority === 'P1' || event.ticket.priority === 'P2';
    const facts = factsOf(event).map(([label, value]) =>
      label === 'Priority' ? `> ${label}: <font color="${urgent ? 'warning' : 'comment'}">${chatPlain(value)}</font>` : `> ${label}: ${chatPlain(value)}`,
    );
    const head = `**${chatPlain(subject)}**\n${facts.join('\n')}\n`;
    const tail = `[Open ${event.ticket.number}](${url})\n<font color="comment">FlowDesk · ${chatPlain(event.actor)}</font>`;
    const note = noteOf(event);
    const room = WECOM_MAX_BYTES - utf8Length(head) - utf8Length(tail) - 2;
    const body = note ? `${fitBytes(chatText(note), room)}\n` : '';
    return { msgtype: 'markdown', markdown: { content: `${head}${body}${tail}` } };
  },

  // DingTalk (钉钉) custom robot: markdown with a title (the chat-list preview) and text.
  dingtalk: ({ event, subject, url }) => {
    const note = noteOf(event);
    const lines = [
      `#### ${chatPlain(subject)}`,
      ...factsOf(event).map(([label, value]) => `- **${label}**: ${chatPlain(value)}`),
      ...(note ? [`> ${truncate(chatText(note), 2000).replace(/\n/g, '\n> ')}`] : []),
      `[Open ${event.ticket.number}](${url})`,
      // A robot with the "keyword" security setting needs a fixed word: this line carries one.
      `FlowDesk · ${chatPlain(event.actor)}`,
    ];
    return { msgtype: 'markdown', markdown: { title: chatPlain(subject), text: lines.join('\n\n') } };
  },
};

/** Why a webhook did not take a message, and whether trying again may help. */
export interface WebhookRejection {
  message: string;
  retryable: boolean;
  /** From a 429's Retry-After, when it gives seconds. */
  retryAfterSeconds?: number;
}

// WeCom and DingTalk answer 200 with an error code in the body. These codes mean "too
// many messages, slow down" (DingTalk 130101, WeCom 45009) or "busy" (-1): worth a retry.
const TRANSIENT_ERRCODES = new Set([-1, 130101, 45009]);

/**
 * How a webhook's answer reads: null when the message was accepted. 429 and 5xx are
 * worth retrying; other 4xx (and redirects) mean the request or the URL is wrong, and
 * the same message would fail again.
 */
export function rejectionOf(format: WebhookFormat, status: number, body: string, retryAfter: string | null = null): WebhookRejection | null {
  const excerpt = body.trim().replace(/\s+/g, ' ').slice(0, 300);
  if (status >= 200 && status < 300) {
    if (format !== 'wecom' && format !== 'dingtalk') return null;
    const code = errcodeOf(body);
    if (code === undefined || code === 0) return null;
    return { message: `answered errcode ${code}: ${excerpt}`, retryable: TRANSIENT_ERRCODES.has(code) };
  }
  const message = `answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status === 429) {
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : undefined;
    return { message, retryable: true, ...(seconds !== undefined && { retryAfterSeconds: seconds }) };
  }
  return { message, retryable: status >= 500 };
}

function errcodeOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { errcode?: unknown };
    return typeof parsed.errcode === 'number' ? parsed.errcode : undefined;
  } catch {
    return undefined;
  }
}

/** The facts every chat format lists, in order. */
export function factsOf(event: TicketEvent): [string, string][] {
  const { ticket, detail } = event;
  const facts: [string, string][] = [
    ['Ticket', `${ticket.number} (${ticket.kind})`],
    ['Priority', ticket.priority],
    ['State', ticket.state],
    ['Assignee', ticket.assignee ?? 'unassigned'],
    ['Group', ticket.assignmentGroup ?? 'none'],
  ];
  if (event.type === 'state_changed' && typeof detail.from === 'string') facts.push(['Change', `${detail.from} → ${String(detail.to ?? ticket.state)}`]);
  if ((event.type === 'sla_warning' || event.type === 'sla_breach') && detail.dueAt) facts.push(['Due', `${String(detail.sla ?? 'SLA')} at ${String(detail.dueAt)}`]);
  if (event.type === 'approval_decided' && typeof detail.decision === 'string') facts.push(['Decision', detail.decision]);
  return facts;
}

/** The free text an event carries (a comment, an approver's remark), if any. */
export function noteOf(event: TicketEvent): string | null {
  const text = event.type === 'commented' ? event.detail.text : event.type === 'approval_decided' ? event.detail.comment : null;
  return typeof text === 'string' && text.trim() ? text.trim() : null;
}

/** Slack's mrkdwn treats &, < and > as control characters; user text must not inject links or mentions. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * WeCom and DingTalk render markdown with HTML-ish tags and document no escape, so user
 * text gets look-alike full-width characters where it could open a <font> tag or a
 * [link](url); other brackets, like the subject's [INC0000042], stay as they are.
 */
function chatText(text: string): string {
  return text.replace(/</g, '＜').replace(/>/g, '＞').replace(/]\(/g, '］(');
}

/** chatText on one line. */
function chatPlain(text: string): string {
  return chatText(text).replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const WECOM_MAX_BYTES = 4096;

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** `text` cut (with an ellipsis) so that it takes at most `max` bytes of UTF-8. */
function fitBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let out = '';
  let bytes = 3; // the ellipsis
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > max) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}
