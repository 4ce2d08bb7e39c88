import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { rejectionOf } from '../domain/notification/webhookFormats';
import type { Webhook } from '../runtime/catalog/webhooks';

const TIMEOUT_MS = 10_000;
/** A 429's Retry-After is honoured up to this; beyond it the retry policy's backoff applies. */
const MAX_RETRY_AFTER_S = 300;

export interface WebhookRequest {
  /** Sent as X-FlowDesk-Delivery so a receiver can drop a retried duplicate. */
  deliveryId: string;
  eventType: string;
  payload: unknown;
}

/**
 * POSTs one message to a webhook, signed as its format requires. Transient failures
 * (network, timeout, 5xx, 429, a chat robot's "too fast") are thrown for Temporal to
 * retry; anything else (4xx, redirects, a rejected robot message) is non-retryable.
 * Resolves with the HTTP status on success.
 */
export async function postWebhook(webhook: Webhook, { deliveryId, eventType, payload }: WebhookRequest, now = Date.now()): Promise<number> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'FlowDesk' };
  let url = webhook.url;
  if (webhook.format === 'generic') {
    headers['x-flowdesk-event'] = eventType;
    headers['x-flowdesk-delivery'] = deliveryId;
    if (webhook.secret) headers['x-flowdesk-signature'] = bodySignature(webhook.secret, body);
  }
  if (webhook.format === 'dingtalk' && webhook.secret) url = dingTalkSignedUrl(url, webhook.secret, now);

  let response: Response;
  try {
    // A webhook that redirects is misconfigured: following it would turn the POST into a GET.
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : causeOf(error);
    throw new Error(`webhook '${webhook.name}' could not be reached: ${reason}`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  const rejection = rejectionOf(webhook.format, response.status, text, response.headers.get('retry-after'));
  if (!rejection) return response.status;
  const message = `webhook '${webhook.name}' ${rejection.message}`;
  if (!rejection.retryable) throw ApplicationFailure.nonRetryable(message, 'WebhookRejected');
  throw ApplicationFailure.create({
    message,
    type: 'WebhookUnavailable',
    ...(rejection.retryAfterSeconds !== undefined && { nextRetryDelay: `${Math.min(Math.max(rejection.retryAfterSeconds, 1), MAX_RETRY_AFTER_S)} seconds` }),
  });
}

/** Generic webhooks: `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub signs its deliveries. */
export function bodySignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * DingTalk's signing rule: HMAC-SHA256 keyed with the secret over "<timestamp ms>\n<secret>",
 * Base64, URL-encoded, sent as the `timestamp` and `sign` query parameters. DingTalk
 * refuses a timestamp more than an hour off, so each attempt signs anew.
 */
export function dingTalkSignedUrl(url: string, secret: string, now: number): string {
  const timestamp = String(now);
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', timestamp);
  signed.searchParams.set('sign', sign);
  return signed.toString();
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
