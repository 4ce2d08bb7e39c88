import { ApplicationFailure } from '@temporalio/common';
import { SMTPServer } from 'smtp-server';
import { createMailer, type SmtpSettings, smtpSettingsOf } from '../../activities/notify';
import type { TicketEvent } from '../../domain/notification/event';
import { freePort } from '../../runtime/ports';

// A real SMTP receiver (the smtp-server package) on a loopback port.
interface Received {
  from: string;
  to: string[];
  raw: string;
}
let server: SMTPServer;
let smtp: SmtpSettings;
const inbox: Received[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.example')) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        inbox.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  smtp = { host: '127.0.0.1', port, secure: false, from: 'FlowDesk <flowdesk@bank.example>' };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const event: TicketEvent = {
  id: 'INC0000042/1/created',
  type: 'created',
  at: '2026-03-02T09:15:00.000Z',
  actor: 'carol',
  detail: {},
  ticket: { number: 'INC0000042', kind: 'incident', title: 'Card payments fail <script>alert(1)</script>', priority: 'P1', state: 'new', assignmentGroup: null, assignee: null, openedBy: 'carol', watchers: [] },
};
const context = { event, ticket: event.ticket, actor: event.actor, detail: event.detail, url: 'http://127.0.0.1:8080/tickets/INC0000042', recipient: { username: 'dave', name: 'Dave' } };

/** A raw message with its folded header lines joined and quoted-printable parts decoded. */
function decode(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return headers + body;
}

describe('email notifications over SMTP', () => {
  it('renders the template and delivers it with a stable Message-ID', async () => {
    const { sendEmail } = createMailer({ smtp });
    const { messageId } = await sendEmail({ deliveryId: 'INC0000042/1/created/email/dave', event: 'created', to: 'dave@bank.example', context });
    expect(messageId).toBe('<INC0000042.1.created.email.dave@flowdesk>');
    const mail = inbox.at(-1)!;
    expect(mail.from).toBe('flowdesk@bank.example');
    expect(mail.to).toEqual(['dave@bank.example']);
    const body = decode(mail.raw);
    expect(body).toMatch(/^Subject: \[INC0000042\] New P1 incident: Card payments fail\s+<script>alert\(1\)<\/script>\r?$/m);
    expect(body).toMatch(/^Message-ID: <INC0000042\.1\.created\.email\.dave@flowdesk>\r?$/im);
    expect(body).toContain('carol opened INC0000042 with priority P1.');
    // The HTML part escapes user input; the text part shows it as typed.
    expect(body).toContain('Card payments fail &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toMatch(/<blockquote><strong>Card payments fail <script>/);
  });

  it('does not retry a permanently refused address or an unknown template', async () => {
    const { sendEmail } = createMailer({ smtp });
    const refused = await sendEmail({ deliveryId: 'x/1', event: 'created', to: 'ghost@refused.example', context }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'MailRejected' });
    const unknown = await sendEmail({ deliveryId: 'x/2', event: 'exploded', to: 'dave@bank.example', context }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ nonRetryable: true, type: 'UnknownTemplate', message: expect.stringMatching(/known: approval_decided, approval_requested, assigned, commented, created/) });
  });

  it('leaves a send to an unreachable server to Temporal\u2019s retries', async () => {
    const { sendEmail } = createMailer({ smtp: { ...smtp, port: await freePort() } });
    const error = await sendEmail({ deliveryId: 'x/3', event: 'resolved', to: 'dave@bank.example', context }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toMatch(/sending resolved to dave@bank.example failed, will retry/);
  });

  it('reads FLOWDESK_SMTP_URL: scheme, default ports and URL-encoded credentials', () => {
    expect(smtpSettingsOf('smtp://mail.bank.example', 'F <f@x>')).toEqual({ host: 'mail.bank.example', port: 587, secure: false, from: 'F <f@x>' });
    expect(smtpSettingsOf('smtps://svc%40bank:p%3Ass@mail.bank.example', 'F <f@x>')).toEqual({ host: 'mail.bank.example', port: 465, secure: true, user: 'svc@bank', password: 'p:ss', from: 'F <f@x>' });
    expect(smtpSettingsOf('smtp://10.0.0.5:2525', 'F <f@x>')).toMatchObject({ host: '10.0.0.5', port: 2525, secure: false });
    expect(() => smtpSettingsOf('http://mail', 'F <f@x>')).toThrow(/smtp:\/\/ or smtps:\/\//);
  });
});
