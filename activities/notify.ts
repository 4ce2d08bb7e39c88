import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { loadTemplates, type RenderedMessage, UnknownTemplate } from './templates';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

/**
 * FLOWDESK_SMTP_URL as settings: smtp://[user:password@]host[:port] (STARTTLS when offered,
 * port 587 by default) or smtps://… (TLS, port 465). User and password are URL-decoded.
 */
export function smtpSettingsOf(url: string, from: string): SmtpSettings {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`the mail server URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  if (!parsed.hostname) throw new Error('the mail server URL names no host');
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(parsed.username && { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }),
    from,
  };
}

export interface EmailRequest {
  /** Stable per delivery (`<event id>/email/<user>`): the Message-ID, so a retried send is recognisable. */
  deliveryId: string;
  /** The template: a ticket event type. */
  event: string;
  to: string;
  context: object;
}

export type Render = (event: string, context: object) => RenderedMessage;

/**
 * Email over SMTP. A send is retried by Temporal on transient failures (server down,
 * 4xx); an unknown template or a permanently refused address (5xx) is not retried.
 * Callers run it so that a failed delivery never fails the ticket.
 */
export function createMailer({ smtp, render }: { smtp: SmtpSettings; render?: Render }) {
  const renderMessage = render ?? loadTemplates();
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user && { auth: { user: smtp.user, pass: smtp.password } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    // Below the deliver activity's timeout, so a stalled server fails the attempt cleanly.
    socketTimeout: 30_000,
  });
  return {
    async sendEmail({ deliveryId, event, to, context }: EmailRequest): Promise<{ messageId: string; response: string }> {
      let message;
      try {
        message = renderMessage(event, context);
      } catch (error) {
        if (error instanceof UnknownTemplate) throw ApplicationFailure.nonRetryable(error.message, 'UnknownTemplate');
        throw error;
      }
      const messageId = `<${deliveryId.replace(/[^\w.-]/g, '.')}@flowdesk>`;
      try {
        const info = await transport.sendMail({ from: smtp.from, to, subject: message.subject, text: message.text, html: message.html, messageId });
        return { messageId, response: String(info.response ?? '') };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw ApplicationFailure.nonRetryable(`the mail server refused the message to ${to}: ${(error as Error).message}`, 'MailRejected');
        throw new Error(`sending ${event} to ${to} failed, will retry: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
