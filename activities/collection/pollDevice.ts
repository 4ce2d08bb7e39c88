import type { Connection } from 'mongoose';
import type { PollRequest, PollTarget } from '../../domain/collection/pollingRun';
import { assembleReading, type Column, columnsOf, type DeviceReading, type PollStatus, SYS_UPTIME } from '../../domain/collection/reading';
import type { MasterKeySource } from '../../runtime/masterKey';
import { CredentialNotFoundError } from '../../store/credentials';
import { CredentialCache } from '../automation/credentialCache';
import { SnmpNoResponse, SnmpPermanentError, walkAll } from '../automation/snmpOps';

/** A poll's columns on one session, given this long in all; a large switch's ifTable takes a few seconds. */
const POLL_DEADLINE_MS = 60_000;
const MAX_REPETITIONS = 50;
const MAX_ROWS_PER_COLUMN = 10_000;
/** sysUpTime's subtree: walked with the columns, so the whole poll is one session. */
const UPTIME_SUBTREE = SYS_UPTIME.slice(0, -2);

/**
 * The polling job's activity on a zone worker (docs/alerts-collection.md#polling): walks
 * the metric sets' columns of one device with the automation center's SNMP operations
 * (v2c or v3 from the vault) and returns them as a reading. A device that does not answer
 * or refuses the credential is an outcome (`unreachable`, `failed`), not a failure; only
 * what a retry may cure (the store, an SNMPv3 clock out of step) throws. It reads and
 * writes nothing else, so Temporal may run it again freely.
 */
export function createPollingZoneActivities(db: Connection, masterKey: MasterKeySource) {
  const credentials = new CredentialCache(db, masterKey);

  return {
    async pollDevice(target: PollTarget, request: PollRequest): Promise<DeviceReading> {
      if (!target.address) return outcome('failed', `${target.name} has no primary_ip in the CMDB`);
      if (!target.credential) return outcome('failed', `${target.name} has no snmp_credential in the CMDB and the job names no credential`);
      let credential;
      try {
        credential = await credentials.get(target.credential);
      } catch (error) {
        if (error instanceof CredentialNotFoundError) return outcome('failed', `credential ${target.credential} does not exist: set the CI's snmp_credential or the job's credential`);
        throw error;
      }
      const roots = [UPTIME_SUBTREE, ...columnsOf(request.metrics)];
      try {
        const results = await walkAll({ address: target.address, port: request.port, timeoutMs: request.timeoutMs }, credential, roots, { maxRepetitions: MAX_REPETITIONS, maxRows: MAX_ROWS_PER_COLUMN, deadlineMs: POLL_DEADLINE_MS });
        const at = new Date().toISOString();
        const [uptime, ...walked] = results;
        const columns = new Map<string, Column>(walked.map((result) => [result.root, new Map(result.rows.map((row) => [row.oid.slice(result.root.length + 1), row.value]))]));
        const reading = assembleReading(at, uptime!.rows.find((row) => row.oid === SYS_UPTIME)?.value, columns);
        const cut = results.find((r) => r.stoppedBy === 'deadline' || r.stoppedBy === 'maxRows');
        return cut ? { ...reading, error: `the poll stopped early (${cut.stoppedBy}) at ${cut.root}: some samples are missing` } : reading;
      } catch (error) {
        if (error instanceof SnmpNoResponse) return outcome('unreachable', error.message);
        if (error instanceof SnmpPermanentError) return outcome('failed', error.message);
        throw error;
      }
    },
  };
}

export type PollingZoneActivities = ReturnType<typeof createPollingZoneActivities>;

function outcome(status: Exclude<PollStatus, 'ok'>, error: string): DeviceReading {
  return { at: new Date().toISOString(), status, error, uptime: null, interfaces: [], processors: [], storage: [] };
}
