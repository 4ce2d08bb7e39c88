import { ApplicationFailure } from '@temporalio/common';
import { SMTPServer } from 'smtp-server';
import { createNotifyActivities, type SmtpSettings } from '../../activities/notify';
import { openIncident } from '../../domain/incident';
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

const incident = openIncident({ title: 'Card payments fail <script>alert(1)</script>', description: 'Since 09:10', impact: 1, urgency: 1 }, 'INC0000042', 'carol', '2026-03-02T09:15:00.000Z');
const context = { incident, recipient: { name: 'Dave' }, actor: 'carol', link: 'http://127.0.0.1:8080/incidents/INC0000042' };

/** A raw message with its folded header lines joined and quoted-printable parts decoded. */
function decode(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return headers + body;
}

describe('email notifications over SMTP', () => {
  it('renders the template and delivers it with a stable Message-ID', async () => {
    const { sendEmail } = createNotifyActivities({ smtp });
    const { messageId } = await sendEmail({ deliveryId: 'INC0000042/1/incident.created/dave', event: 'incident.created', to: 'dave@bank.example', context });
    expect(messageId).toBe('<INC0000042.1.incident.created.dave@flowdesk>');
    const mail = inbox.at(-1)!;
    expect(mail.from).toBe('flowdesk@bank.example');
    expect(mail.to).toEqual(['dave@bank.example']);
    const body = decode(mail.raw);
    expect(body).toMatch(/^Subject: \[INC0000042\] New P1 incident: Card payments fail\s+<script>alert\(1\)<\/script>\r?$/m);
    expect(body).toMatch(/^Message-ID: <INC0000042\.1\.incident\.created\.dave@flowdesk>\r?$/im);
    expect(body).toContain('carol opened INC0000042 with priority P1.');
    // The HTML part escapes user input; the text part shows it as typed.
    expect(body).toContain('Card payments fail &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toMatch(/<blockquote><strong>Card payments fail <script>/);
  });

  it('does not retry a permanently refused address or an unknown template', async () => {
    const { sendEmail } = createNotifyActivities({ smtp });
    const refused = await sendEmail({ deliveryId: 'x/1', event: 'incident.created', to: 'ghost@refused.example', context }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'MailRejected' });
    const unknown = await sendEmail({ deliveryId: 'x/2', event: 'incident.exploded', to: 'dave@bank.example', context }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ nonRetryable: true, type: 'UnknownTemplate', message: expect.stringMatching(/known: incident.assigned, incident.created/) });
  });

  it('leaves a send to an unreachable server to Temporal\u2019s retries', async () => {
    const { sendEmail } = createNotifyActivities({ smtp: { ...smtp, port: await freePort() } });
    const error = await sendEmail({ deliveryId: 'x/3', event: 'incident.resolved', to: 'dave@bank.example', context }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toMatch(/sending incident.resolved to dave@bank.example failed, will retry/);
  });
});
