import { z } from 'zod';
import { className } from './cmdb';

/** Lower case, digits and dashes: a job's name is part of its schedule's and runs' ids. */
export const jobName = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a job name is 2-63 lower-case letters, digits and dashes').meta({ description: 'Discovery job name, e.g. dc-a-servers' });

const probe = z.strictObject({ credential: z.string().min(1).max(100).meta({ description: 'Id of a stored credential' }), port: z.number().int().min(1).max(65_535).optional() });

const network = z
  .strictObject({
    targets: z.array(z.string().min(1).max(100)).min(1).max(256).meta({ description: 'Addresses, CIDR prefixes (10.0.0.0/24) and ranges (10.0.0.1-10.0.0.50); at most 65,536 addresses' }),
    exclude: z.array(z.string().min(1).max(100)).max(256).default([]),
    ssh: probe.optional().meta({ description: 'Host facts over SSH (ssh_key or ssh_password credential; port 22 unless given)' }),
    snmp: probe.optional().meta({ description: 'System group, interfaces and addresses over SNMP (snmp_community or snmp_v3 credential; port 161 unless given)' }),
    concurrency: z.number().int().min(1).max(64).default(16),
    timeoutSeconds: z.number().int().min(1).max(300).default(10),
  })
  .refine((n) => n.ssh || n.snmp, { message: 'a sweep needs ssh, snmp or both', path: ['ssh'] });

const mapping = z.strictObject({
  class: className,
  classField: z.string().min(1).max(200).optional(),
  itemsPath: z.string().min(1).max(200).optional(),
  attributes: z.record(z.string(), z.string().min(1).max(200)).refine((a) => Object.keys(a).length > 0, 'map at least one attribute (name, usually)'),
  tags: z.array(z.string().min(1).max(64)).max(20).optional(),
});

const sync = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).meta({ description: 'Where the feed is (http or https)' }),
  format: z.enum(['json', 'csv']),
  credential: z.string().min(1).max(100).optional().meta({ description: 'Id of an http_bearer or http_basic credential' }),
  mapping,
});

const schedule = z
  .strictObject({
    every: z.string().regex(/^\d{1,4}(m|h|d)$/, "an interval like '30m', '6h' or '1d'").optional(),
    cron: z.array(z.string().min(9).max(100)).min(1).max(10).optional().meta({ description: 'Cron expressions (UTC), e.g. "0 2 * * *"' }),
    paused: z.boolean().default(false),
  })
  .refine((s) => !!s.every !== !!s.cron, { message: "give either 'every' or 'cron'", path: ['every'] })
  .refine((s) => !s.every || !/^\d+m$/.test(s.every) || Number(s.every.slice(0, -1)) >= 5, { message: 'at least 5 minutes apart', path: ['every'] });

export const jobBody = z
  .strictObject({
    description: z.string().max(2000).default(''),
    kind: z.enum(['network', 'sync']),
    network: network.optional(),
    sync: sync.optional(),
    schedule: schedule.optional(),
  })
  .superRefine((job, ctx) => {
    if (job.kind === 'network' && !job.network) ctx.addIssue({ code: 'custom', path: ['network'], message: "a network job needs 'network' (targets and probes)" });
    if (job.kind === 'sync' && !job.sync) ctx.addIssue({ code: 'custom', path: ['sync'], message: "a sync job needs 'sync' (url, format, mapping)" });
    if (job.kind === 'network' && job.sync) ctx.addIssue({ code: 'custom', path: ['sync'], message: 'a network job has no sync source' });
    if (job.kind === 'sync' && job.network) ctx.addIssue({ code: 'custom', path: ['network'], message: 'a sync job has no network sweep' });
  })
  .meta({ id: 'DiscoveryJobDefinition' });

export const job = z
  .object({
    name: jobName,
    description: z.string(),
    kind: z.enum(['network', 'sync']),
    network: z.record(z.string(), z.unknown()).optional(),
    sync: z.record(z.string(), z.unknown()).optional(),
    schedule: z.record(z.string(), z.unknown()).optional(),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'DiscoveryJob' });

const ciCounts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), rejected: z.number() });

export const run = z
  .object({
    id: z.string(),
    job: z.string(),
    kind: z.enum(['network', 'sync']),
    trigger: z.enum(['schedule', 'user']),
    requestedBy: z.string().optional(),
    status: z.enum(['running', 'completed', 'failed']),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    counts: z.object({ targets: z.object({ total: z.number(), done: z.number(), discovered: z.number(), noResponse: z.number(), failed: z.number() }), cis: ciCounts }),
    error: z.string().optional(),
    rejected: z.array(z.record(z.string(), z.unknown())).optional(),
    targets: z
      .array(
        z.object({
          address: z.string(),
          status: z.enum(['discovered', 'no_response', 'failed']),
          protocols: z.record(z.string(), z.string()),
          ci: z.object({ id: z.string(), class: z.string(), name: z.string() }).optional(),
          cis: ciCounts,
          errors: z.array(z.string()),
          uptimeSeconds: z.number().optional(),
        }),
      )
      .optional()
      .meta({ description: 'Per target, in target order (GET of one run only)' }),
  })
  .meta({ id: 'DiscoveryRun' });
