import type { Connection } from 'mongoose';
import snmp from 'net-snmp';
import { trapEvent, trapFromPdu, type TrapRules } from '../domain/alert/sources/snmpTrap';
import type { Logger } from '../runtime/log';
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
 * SNMP traps (v1, v2c; informs too) on a UDP port through net-snmp's receiver, into the
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
