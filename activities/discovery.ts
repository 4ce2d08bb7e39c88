import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { feedRows, FeedError } from '../domain/cmdb/discovery/feed';
import { HOST_FACTS_SCRIPT, hostImport, parseHostFacts } from '../domain/cmdb/discovery/hostFacts';
import { type CiCounts, type DiscoveryJob, type FeedSource, type NetworkSweep, noCis, type ProbeStatus, type RunCounts, type TargetOutcome } from '../domain/cmdb/discovery/job';
import { IF_COLUMNS, IP_ADDR_COLUMNS, SNMP_OIDS, snmpImport, type SnmpSnapshot } from '../domain/cmdb/discovery/snmpFacts';
import type { ImportInput } from '../domain/cmdb/importRows';
import type { ResolvedCredential } from '../domain/credential';
import { select } from '../domain/cmdb/selector';
import type { Catalog } from '../runtime/catalog';
import type { MasterKeySource } from '../runtime/masterKey';
import { CmdbError } from '../store/cmdb/errors';
import { closeRun, type DiscoveryRun, findJob, openRun, recordPage } from '../store/cmdb/discovery';
import { importCmdb, type ImportReport } from '../store/cmdb/importer';
import { loadModel, seedModel } from '../store/cmdb/modelStore';
import { cmdbGraph } from '../store/cmdb/replica';
import { CredentialNotFoundError, resolveCredential } from '../store/credentials';
import { openSnmpSession, SnmpNoResponse, snmpGet, snmpTable } from './clients/snmp';
import { openSsh, SshNoResponse } from './clients/ssh';

/** A feed larger than this is refused rather than read into memory. */
const MAX_FEED_BYTES = 50 * 1024 * 1024;
const FEED_TIMEOUT_MS = 60_000;
const ERRORS_PER_TARGET = 3;
/** The facts script reads a few dozen files and asks systemd once: seconds, but slow hosts get a minute. */
const FACTS_SCRIPT_TIMEOUT_MS = 60_000;

/**
 * Discovery's activities: each probe reads a target over SSH or SNMP with a stored
 * credential, turns what it read into CMDB records (domain/cmdb/discovery) and imports them
 * through identification and reconciliation, so a retry or a re-run updates instead of
 * duplicating. A target that does not answer, or refuses the credential, is an outcome in
 * the report, not an activity failure; only the store failing is retried.
 */
export function createDiscoveryActivities(db: Connection, catalog: Catalog, masterKey: MasterKeySource) {
  let seeded: Promise<void> | undefined;
  const model = async () => {
    await (seeded ??= seedModel(db, catalog.cmdb).catch((error: unknown) => {
      seeded = undefined;
      throw error;
    }));
    return loadModel(db);
  };
  const credential = async (id: string): Promise<ResolvedCredential> => resolveCredential(db, await masterKey(), id);

  /** Imports one source's records; the per-CI outcomes. */
  const importAs = async (runId: string, source: 'ssh' | 'snmp', input: ImportInput): Promise<ImportReport> => {
    await model();
    return importCmdb(db, input, { actor: { type: 'discovery', id: runId }, source, allRows: true });
  };

  return {
    /** The job as it is now, with its credentials checked: a run of a deleted job or with a deleted credential fails at once, saying which. */
    async loadDiscoveryJob(name: string): Promise<DiscoveryJob> {
      const job = await findJob(db, name);
      if (!job) throw ApplicationFailure.nonRetryable(`discovery job '${name}' no longer exists`, 'JobNotFound');
      const ids = [job.network?.ssh?.credential, job.network?.snmp?.credential, job.sync?.credential].filter((id): id is string => !!id);
      for (const id of ids) {
        try {
          await credential(id);
        } catch (error) {
          if (error instanceof CredentialNotFoundError) throw ApplicationFailure.nonRetryable(`job '${name}' uses credential ${id}, which no longer exists: edit the job`, 'CredentialNotFound');
          throw error;
        }
      }
      const { version: _v, createdAt: _c, updatedAt: _u, updatedBy: _b, ...definition } = job;
      return definition;
    },

    async openDiscoveryRun(run: Omit<DiscoveryRun, 'status' | 'pages' | 'error' | 'rejected' | 'finishedAt'>): Promise<void> {
      await openRun(db, run);
    },

    async recordDiscoveryPage(runId: string, page: number, outcomes: TargetOutcome[], counts: RunCounts): Promise<void> {
      await recordPage(db, runId, page, outcomes, counts);
    },

    async closeDiscoveryRun(runId: string, outcome: Parameters<typeof closeRun>[2]): Promise<void> {
      await closeRun(db, runId, outcome);
    },

    /** Probes one address with the sweep's protocols (SSH first: it knows serials and virtualisation) and imports what they found. */
    async discoverTarget(runId: string, address: string, sweep: NetworkSweep): Promise<TargetOutcome> {
      const outcome: TargetOutcome = { address, status: 'no_response', protocols: {}, cis: noCis(), errors: [] };
      const perCi = new Map<string, keyof CiCounts>();
      const probes: Array<['ssh' | 'snmp', () => Promise<ImportInput>]> = [];
      if (sweep.ssh) probes.push(['ssh', () => sshFacts(address, sweep, sweep.ssh!.credential)]);
      if (sweep.snmp) {
        probes.push([
          'snmp',
          async () => {
            const snapshot = await snmpFacts(address, sweep, sweep.snmp!.credential);
            // Hundredths of a second: reported with the run, not stored (it would change the CI every run).
            if (snapshot.system.sysUpTime !== undefined) outcome.uptimeSeconds = Math.floor(snapshot.system.sysUpTime / 100);
            return snmpImport(address, snapshot);
          },
        ]);
      }
      for (const [protocol, probe] of probes) {
        heartbeat(protocol);
        let status: ProbeStatus;
        try {
          const report = await importAs(runId, protocol, await probe());
          status = 'ok';
          for (const row of report.rows) {
            if (row.outcome === 'rejected') outcome.errors.push(`${protocol}: row ${row.row} rejected: ${(row.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ')}`);
            if (row.id) perCi.set(row.id, strongest(perCi.get(row.id), row.outcome));
            else outcome.cis.rejected++;
          }
          const main = report.rows.find((row) => row.row === 0 && row.id);
          if (main?.id && !outcome.ci) outcome.ci = await ciSummary(main.id);
        } catch (error) {
          status = error instanceof SnmpNoResponse || error instanceof SshNoResponse ? 'no_response' : 'failed';
          if (status === 'failed' || probes.length === 1) outcome.errors.push(`${protocol}: ${(error as Error).message}`);
          if (isStoreError(error)) throw error;
        }
        outcome.protocols[protocol] = status;
      }
      for (const result of perCi.values()) outcome.cis[result]++;
      const statuses = Object.values(outcome.protocols);
      outcome.status = statuses.includes('ok') ? 'discovered' : statuses.includes('failed') ? 'failed' : 'no_response';
      outcome.errors = outcome.errors.slice(0, ERRORS_PER_TARGET);
      return outcome;
    },

    /** Reads the feed and imports it with source `sync`; a feed that cannot be read fails the run (non-retryable when retrying cannot help). */
    async syncDiscoverySource(runId: string, source: FeedSource): Promise<{ cis: CiCounts; rejected: NonNullable<DiscoveryRun['rejected']> }> {
      const body = await fetchFeed(source, source.credential ? await credential(source.credential) : undefined);
      let input: ImportInput;
      try {
        input = feedRows(await model(), source.format, body, source.mapping);
      } catch (error) {
        if (error instanceof FeedError) throw ApplicationFailure.nonRetryable(error.message, 'FeedError');
        throw error;
      }
      const report = await importCmdb(db, input, { actor: { type: 'sync', id: runId }, source: 'sync', maxRows: 50 });
      const rejected = report.rows.filter((row) => row.outcome === 'rejected').map((row) => ({ row: row.row, errors: row.errors ?? [] }));
      return { cis: report.cis, rejected };
    },
  };

  async function sshFacts(address: string, sweep: NetworkSweep, credentialId: string): Promise<ImportInput> {
    const timeoutMs = sweep.timeoutSeconds * 1000;
    const { ssh, hostKey } = await openSsh({ address, port: sweep.ssh!.port, timeoutMs, knownHostKey: await knownHostKey(address) }, await credential(credentialId));
    try {
      const limit = Math.max(FACTS_SCRIPT_TIMEOUT_MS, timeoutMs);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the facts script did not finish within ${limit / 1000} s`)), limit);
      });
      const { stdout } = await Promise.race([ssh.execCommand('sh -s', { stdin: HOST_FACTS_SCRIPT }), expired]).finally(() => clearTimeout(timer));
      return hostImport(address, parseHostFacts(stdout), hostKey);
    } finally {
      ssh.dispose();
    }
  }

  async function snmpFacts(address: string, sweep: NetworkSweep, credentialId: string): Promise<SnmpSnapshot> {
    const session = openSnmpSession({ address, port: sweep.snmp!.port, timeoutMs: sweep.timeoutSeconds * 1000 }, await credential(credentialId));
    try {
      const scalars = await snmpGet(session, Object.values(SNMP_OIDS).filter((oid) => oid.endsWith('.0')));
      const text = (oid: string) => (scalars.get(oid) === undefined ? undefined : String(scalars.get(oid)));
      const interfaces = await snmpTable(session, SNMP_OIDS.ifTable);
      const addresses = await snmpTable(session, SNMP_OIDS.ipAddrTable);
      const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
      return {
        system: { sysName: text(SNMP_OIDS.sysName), sysDescr: text(SNMP_OIDS.sysDescr), sysObjectId: text(SNMP_OIDS.sysObjectId), sysUpTime: num(scalars.get(SNMP_OIDS.sysUpTime)), sysLocation: text(SNMP_OIDS.sysLocation), sysContact: text(SNMP_OIDS.sysContact) },
        interfaces: [...interfaces].map(([index, row]) => ({
          index: Number(index),
          descr: row.get(IF_COLUMNS.descr) as string | undefined,
          type: num(row.get(IF_COLUMNS.type)),
          speed: num(row.get(IF_COLUMNS.speed)),
          mac: row.get(IF_COLUMNS.mac) as string | undefined,
          operStatus: num(row.get(IF_COLUMNS.operStatus)),
        })),
        addresses: [...addresses.values()].map((row) => ({ address: String(row.get(IP_ADDR_COLUMNS.address)), ifIndex: Number(row.get(IP_ADDR_COLUMNS.ifIndex)), netmask: row.get(IP_ADDR_COLUMNS.netmask) as string | undefined })),
      };
    } finally {
      session.close();
    }
  }

  /** The host key a host CI at this address has shown before: a different one is refused. */
  async function knownHostKey(address: string): Promise<string | undefined> {
    const graph = await cmdbGraph(db);
    const ids = select({ class: 'host', where: { primary_ip: { eq: address }, ssh_host_key: { exists: true } } }, { graph, model: await model() });
    const [first] = ids;
    return first ? (graph.ci(first)?.attributes.ssh_host_key as string | undefined) : undefined;
  }

  async function ciSummary(id: string) {
    const ci = (await cmdbGraph(db)).ci(id);
    return ci ? { id, class: ci.class, name: String(ci.attributes.name ?? id) } : undefined;
  }
}

const RANK = { rejected: 0, unchanged: 1, updated: 2, created: 3 } as const;
const strongest = (a: keyof CiCounts | undefined, b: keyof CiCounts): keyof CiCounts => (a && RANK[a] > RANK[b] ? a : b);

/** Our store failing (retried by Temporal), as opposed to the target: no answer, a refused credential, a changed host key, odd output. */
function isStoreError(error: unknown): boolean {
  return error instanceof CmdbError || (error instanceof Error && /^Mongo/.test(error.name));
}

async function fetchFeed(source: FeedSource, credential: ResolvedCredential | undefined): Promise<string> {
  const headers: Record<string, string> = { accept: source.format === 'json' ? 'application/json' : 'text/csv' };
  if (credential?.kind === 'http_bearer') headers.authorization = `Bearer ${credential.token}`;
  else if (credential?.kind === 'http_basic') headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
  else if (credential) throw ApplicationFailure.nonRetryable(`credential ${credential.name} is ${credential.kind}; a feed takes http_bearer or http_basic`, 'CredentialKind');
  let response: Response;
  try {
    response = await fetch(source.url, { headers, signal: AbortSignal.timeout(FEED_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new Error(`the feed at ${source.url} cannot be reached: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    const message = `the feed at ${source.url} answered ${response.status} ${response.statusText}`;
    // 4xx (other than 408/429) will not change by asking again: check the URL and credential.
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw ApplicationFailure.nonRetryable(message, 'FeedRefused');
    throw new Error(message);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_FEED_BYTES) throw ApplicationFailure.nonRetryable(`the feed is larger than ${MAX_FEED_BYTES / 1024 / 1024} MiB`, 'FeedTooLarge');
  return response.text();
}
