import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { loadTemplates, UnknownTemplate } from './templates';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

export interface EmailRequest {
  /** Stable per delivery (e.g. `<ticket>/<version>/<event>/<recipient>`): the Message-ID, so a retried send is recognisable. */
  deliveryId: string;
  event: string;
  to: string;
  context: object;
}

/**
 * Email notifications over SMTP. A send is retried by Temporal on transient failures
 * (server down, 4xx); an unknown template or a permanently refused address (5xx) is
 * not retried. Callers run it so that a failed delivery never fails the ticket.
 */
export function createNotifyActivities({ smtp, templatesDir }: { smtp: SmtpSettings; templatesDir?: string }) {
  const render = loadTemplates(templatesDir);
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user && { auth: { user: smtp.user, pass: smtp.password } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
  });
  return {
    async sendEmail({ deliveryId, event, to, context }: EmailRequest): Promise<{ messageId: string }> {
      let message;
      try {
        message = render(event, context);
      } catch (error) {
        if (error instanceof UnknownTemplate) throw ApplicationFailure.nonRetryable(error.message, 'UnknownTemplate');
        throw error;
      }
      const messageId = `<${deliveryId.replace(/[^\w.-]/g, '.')}@flowdesk>`;
      try {
        await transport.sendMail({ from: smtp.from, to, subject: message.subject, text: message.text, html: message.html, messageId });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw ApplicationFailure.nonRetryable(`the mail server refused the message to ${to}: ${(error as Error).message}`, 'MailRejected');
        throw new Error(`sending ${event} to ${to} failed, will retry: ${(error as Error).message}`, { cause: error });
      }
      return { messageId };
    },
  };
}
