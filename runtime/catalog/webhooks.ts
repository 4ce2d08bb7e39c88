import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { TICKET_EVENT_TYPES } from '../../domain/notification/event';
import type { WebhookSubscription } from '../../domain/notification/subscriptions';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../../domain/notification/webhookFormats';
import { TICKET_PREFIX, type TicketKind } from '../../domain/ticketNumber';

/** An outgoing webhook, ready to call: its ${VARIABLES} are filled in from the environment. */
export interface Webhook extends WebhookSubscription {
  format: WebhookFormat;
  url: string;
  /** DingTalk: the robot's signing secret (SEC…); generic: the HMAC key of X-FlowDesk-Signature. */
  secret: string | null;
}

/** Where the webhooks live inside a catalog folder. */
export const WEBHOOKS_FILE = path.join('notifications', 'webhooks.yaml');

export class WebhookCatalogError extends Error {
  override readonly name = 'WebhookCatalogError';
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must list at least one value, or be left out to mean "all"').optional();

const entry = z.strictObject({
  // Part of every delivery id and of the delivery records: keep it short and plain.
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - and _ (at most 63), e.g. ops-slack'),
  format: z.enum(WEBHOOK_FORMATS),
  url: z.string().min(1, 'must not be empty'),
  secret: z.string().min(1, 'must not be empty; leave it out for no signature').optional(),
  events: nonEmptyList(z.enum(TICKET_EVENT_TYPES)),
  kinds: nonEmptyList(z.enum(Object.keys(TICKET_PREFIX) as [TicketKind, ...TicketKind[]])),
  priorities: nonEmptyList(z.enum(['P1', 'P2', 'P3', 'P4', 'P5'])),
  groups: nonEmptyList(z.string().min(1)),
});
const file = z.strictObject({ webhooks: z.array(entry).default([]) });
const httpUrl = z.url({ protocol: /^https?$/ });

export interface LoadWebhooksOptions {
  env?: NodeJS.ProcessEnv;
  /** Told about each webhook left disabled because a variable it needs is unset. */
  warn?: (message: string) => void;
}

/**
 * Reads `<dir>/notifications/webhooks.yaml` (no file: no webhooks). A mistake in the file
 * throws, naming the file and the field; a webhook whose URL or secret refers to an unset
 * variable is left out with a warning, so the shipped examples stay off until configured.
 */
export function loadWebhooks(dir: string, { env = process.env, warn = (message) => process.emitWarning(message) }: LoadWebhooksOptions = {}): Webhook[] {
  const filePath = path.join(dir, WEBHOOKS_FILE);
  if (!fs.existsSync(filePath)) return [];
  const shown = path.relative(process.cwd(), filePath) || filePath;

  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new WebhookCatalogError(`${shown}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = file.safeParse(raw ?? {});
  if (!parsed.success) {
    const entries = (raw as { webhooks?: unknown[] } | null)?.webhooks;
    const lines = parsed.error.issues.map((issue) => `  ${fieldOf(issue.path, entries)}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`);
    throw new WebhookCatalogError(`${shown} is invalid:\n${lines.join('\n')}`);
  }

  const webhooks: Webhook[] = [];
  const seen = new Set<string>();
  for (const [index, { url, secret, ...subscription }] of parsed.data.webhooks.entries()) {
    const field = `webhooks[${index}] (${subscription.name})`;
    if (seen.has(subscription.name)) throw new WebhookCatalogError(`${shown}: ${field}.name: another webhook already has this name`);
    seen.add(subscription.name);

    const missing = [...new Set([...variablesIn(url), ...variablesIn(secret ?? '')].filter((name) => !env[name]))];
    if (missing.length) {
      warn(`webhook '${subscription.name}' is disabled: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set (${shown})`);
      continue;
    }
    const resolvedUrl = fill(url, env);
    // The value is not shown: webhook URLs carry their access token.
    if (!httpUrl.safeParse(resolvedUrl).success) throw new WebhookCatalogError(`${shown}: ${field}.url: must be an http:// or https:// URL once its variables are filled in`);
    webhooks.push({ ...subscription, url: resolvedUrl, secret: secret === undefined ? null : fill(secret, env) });
  }
  return webhooks;
}

function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((match) => match[1]!);
}

function fill(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(VARIABLE, (_, name: string) => env[name] ?? '');
}

/** `webhooks[1] (ops-slack).format` for zod's ['webhooks', 1, 'format']. */
function fieldOf(issuePath: PropertyKey[], entries: unknown[] | undefined): string {
  const [top, index, ...rest] = issuePath;
  if (top !== 'webhooks' || typeof index !== 'number') return issuePath.map(String).join('.') || '(file)';
  const name = (entries?.[index] as { name?: unknown } | undefined)?.name;
  return [`webhooks[${index}]${typeof name === 'string' ? ` (${name})` : ''}`, ...rest.map(String)].join('.');
}
