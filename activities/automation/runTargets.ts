import { DEFAULT_ZONE, TARGET_ATTRIBUTES } from '../../domain/automation/run';
import { targetName } from '../../domain/automation/targets';
import { type CiRecord, type CmdbGraph, PRIMARY_IP } from '../../domain/cmdb/graph';
import { type HostDocument, hostDocId } from '../../store/automation/runs';

const SSH_PORT = 22;

/** The run's targets as host records, in order, and how many each zone takes. */
export function targetHosts(runId: string, cis: readonly CiRecord[], graph: CmdbGraph): { docs: HostDocument[]; byZone: Record<string, number> } {
  const byZone: Record<string, number> = {};
  const docs = cis.map((ci, seq) => {
    const doc = hostOf(runId, seq, ci, graph);
    byZone[doc.zone] = (byZone[doc.zone] ?? 0) + 1;
    return doc;
  });
  return { docs, byZone };
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : null);

function hostOf(runId: string, seq: number, ci: CiRecord, graph: CmdbGraph): HostDocument {
  const port = ci.attributes.ssh_port;
  const zone = graph.zoneOf(ci) ?? DEFAULT_ZONE;
  return {
    _id: hostDocId(runId, seq),
    runId,
    seq,
    ciId: ci.id,
    name: targetName(ci),
    address: text(ci.attributes[PRIMARY_IP]),
    port: typeof port === 'number' ? port : SSH_PORT,
    zone,
    credential: text(ci.attributes.ssh_credential),
    snmpCredential: text(ci.attributes.snmp_credential),
    hostKey: text(ci.attributes.ssh_host_key),
    attributes: targetAttributes(ci, zone),
    status: 'pending',
    steps: {},
  };
}

/** The CI's attributes steps may read: TARGET_ATTRIBUTES it has with plain values; `zone` as the run routes it. */
function targetAttributes(ci: CiRecord, zone: string): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const name of TARGET_ATTRIBUTES) {
    const value = ci.attributes[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  kept.name = targetName(ci);
  kept.zone = zone;
  return kept;
}
