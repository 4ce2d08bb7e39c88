import type { Connection } from 'mongoose';
import snmp from 'net-snmp';
import { trapEvent, trapFromPdu, type TrapRules } from '../domain/alert/sources/snmpTrap';
import { snmpUserOf } from '../activities/clients/snmp';
import type { Logger } from '../runtime/log';
import type { MasterKeySource } from '../runtime/masterKey';
import { listCredentials, resolveCredential } from '../store/credentials';
import { acceptRequest } from '../store/alerts/intake';
import type { AlertIntake } from './alertCenter';

export interface TrapReceiverOptions {
  db: Connection;
  intake: AlertIntake;
  rules: TrapRules;
  host: string;
  port: number;
  /** v1/v2c communities accepted; traps with another are refused (and logged). */
  communities: string[];
  /** SNMPv3 users accepted (their keys localized to each sender's engine ID); a v3 trap from another user, or with wrong keys, is refused. */
  users?: snmp.User[];
  logger: Logger;
  /** The intake integration traps are stored under (part of their fingerprints). */
  sender?: string;
}

export interface TrapReceiver {
  /** Traps stored, dropped by the unknown-source policy, and refused or failed. */
  counts: { stored: number; dropped: number; failed: number };
  /** Resolves once every trap received so far is handled (for tests and shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * SNMP traps (v1, v2c, v3 with configured users; informs too) on a UDP port through net-snmp's receiver, into the
 * same pipeline as the HTTP intake: each trap is one request (its digest over the PDU, so
 * two traps are never mistaken for one re-delivery), enriched by the source address,
 * grouped and escalated like any alert. UDP has no retry: a trap that cannot be stored is
 * logged with its content (docs/alerts-snmp.md).
 */
export function startTrapReceiver(options: TrapReceiverOptions): TrapReceiver {
  const { db, intake, rules, logger, sender = 'snmp-traps' } = options;
  const counts = { stored: 0, dropped: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();

  async function handle(notification: Parameters<typeof trapFromPdu>[0]): Promise<void> {
    const message = trapFromPdu(notification);
    if (!message) return;
    const receivedAt = new Date().toISOString();
    const { event, digest } = trapEvent(message, rules, { receivedAt, sender });
    if (rules.unknownSources === 'drop' && event.kind === 'report') {
      const enrich = await intake.sources.enrichment?.();
      if (!enrich?.(event.alert)) {
        counts.dropped += 1;
        logger.info({ source: message.source, trapOid: message.trapOid }, 'SNMP trap from an address no CI has: dropped (unknownSources: drop)');
        return;
      }
    }
    await intake.alertsReady;
    const result = await acceptRequest(db, { source: 'snmp', sender, actor: 'snmp-trap-receiver', digest, payload: message, receivedAt, events: [event], notes: [] }, intake.sources);
    if (!result.duplicate) await intake.notifyGroups(result.requestId, result.changed);
    counts.stored += 1;
  }

  const receiver = snmp.createReceiver({ port: options.port, address: options.host, transport: 'udp4', includeAuthentication: true }, (error: Error | null, notification: Parameters<typeof trapFromPdu>[0] | null) => {
    if (error || !notification) {
      counts.failed += 1;
      logger.warn({ err: error }, 'SNMP trap refused (unknown community or user, or malformed)');
      return;
    }
    const task = handle(notification).catch((failure: unknown) => {
      counts.failed += 1;
      logger.error({ err: failure, trap: notification.pdu }, 'SNMP trap could not be stored; it is lost (UDP has no retry)');
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  });
  for (const community of options.communities) receiver.getAuthorizer().addCommunity(community);
  for (const user of options.users ?? []) receiver.getAuthorizer().addUser(user);

  return {
    counts,
    idle: async () => {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        receiver.close(() => resolve());
      }),
  };
}

/**
 * The SNMPv3 users traps may come from: stored snmp_v3 credentials, by name (their keys stay
 * sealed in the vault, not in the environment). A name that is not an snmp_v3 credential
 * stops start-up, saying which.
 */
export async function trapUsers(db: Connection, masterKey: MasterKeySource, names: readonly string[]): Promise<snmp.User[]> {
  if (!names.length) return [];
  const stored = new Map((await listCredentials(db, 'snmp_v3')).map((c) => [c.name, c._id]));
  const missing = names.filter((n) => !stored.has(n));
  if (missing.length) throw new Error(`FLOWDESK_SNMP_TRAP_USERS names ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not stored snmp_v3 credentials; create ${missing.length === 1 ? 'it' : 'them'} under Credentials first`);
  const key = await masterKey();
  return Promise.all(
    names.map(async (name) => {
      const credential = await resolveCredential(db, key, stored.get(name)!);
      if (credential.kind !== 'snmp_v3') throw new Error(`credential ${name} is not snmp_v3`);
      return snmpUserOf(credential);
    }),
  );
}
