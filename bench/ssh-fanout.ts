/**
 * SSH fan-out benchmark (issue 6): the same command (`uptime`) on N targets with
 * parallelism P, by FlowDesk (API call to finished run), Ansible ad hoc (`-m raw` and
 * `-m command`) and parallel-ssh (the bare-SSH floor). The targets are loopback addresses
 * 127.0.1.1 … served by real OpenSSH sshd (bench/lib/fanoutHosts.ts). Not part of `npm
 * test`; it measures and reports, it never asserts timings.
 *
 *   npm run bench:ssh-fanout
 *   npm run bench:ssh-fanout -- --targets 200,1000 --parallelism 50 --repeat 3 --only pssh,ansible-raw
 *
 * See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type FanoutHosts, type FanoutTargets, sshdActivity, startFanoutHosts } from './lib/fanoutHosts';
import { runFlowDesk, stopFlowDesk } from './lib/fanoutFlowdesk';
import { ansiblePeer, type FanoutPeer, PEER_NAMES, type PeerName, type PeerResult, psshPeer } from './lib/fanoutPeers';
import { table } from './lib/measure';
import { machineCpuMs, processCpuMs } from './lib/procCpu';

/** Set on SIGINT/SIGTERM: no new run starts while the bench shuts down. */
let aborting = false;

const say = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Settings {
  /** One phase per count, in order, on one set of sshd listeners. */
  targets: number[];
  parallelism: number;
  /** Timed runs of each peer per phase (after one untimed warm-up); the median is reported. */
  repeat: number;
  only: PeerName[];
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: { targets: { type: 'string', default: '200' }, parallelism: { type: 'string', default: '50' }, repeat: { type: 'string', default: '3' }, only: { type: 'string', default: PEER_NAMES.join(',') } },
    strict: true,
  });
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const only = values.only.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of only) if (!(PEER_NAMES as readonly string[]).includes(name)) throw new Error(`--only: unknown peer ${JSON.stringify(name)}; peers are ${PEER_NAMES.join(', ')}`);
  return {
    targets: values.targets.split(',').map((s) => positive('targets', s.trim())),
    parallelism: positive('parallelism', values.parallelism),
    repeat: positive('repeat', values.repeat),
    only: PEER_NAMES.filter((name) => only.includes(name)),
  };
}

/** FlowDesk as a peer: the function the run engine's author fills in (bench/lib/fanoutFlowdesk.ts). */
const flowdeskPeer: FanoutPeer = { name: 'flowdesk', run: (targets, parallelism) => runFlowDesk(targets, parallelism), close: stopFlowDesk };

interface TimedRun extends PeerResult {
  /** What sshd logged during the run: logins accepted, connections dropped past MaxStartups. */
  sshd: { accepted: number; dropped: number; errors: string[] };
  /** The machine's 1-minute load average as the run started (the machine may be shared). */
  loadBefore: number;
  /**
   * CPU ms over the run: `client` is the bench process and what it waited for (the tool and
   * its ssh processes; for FlowDesk, whatever runs in this process), `sshd` the targets'
   * side, `machine` every core's busy time, so `machine − client − sshd` is everything else
   * (other users of a shared machine, servers FlowDesk runs as other processes).
   */
  cpuMs: { client: number; sshd: number; machine: number; machineBusyPercent: number };
}

interface PeerSummary {
  peer: PeerName;
  version?: string;
  /** Why the peer did not run (or stopped running), when it did not. */
  unavailable?: string;
  runs: TimedRun[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Over all timed runs: the fewest targets that succeeded and the most that failed. */
  worstOk?: number;
  worstFailed?: number;
  /** Medians over the timed runs of TimedRun.cpuMs: client, sshd, and the rest of the machine. */
  cpuMedianMs?: { client: number; sshd: number; other: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b <= 0 ? undefined : Math.round((a / b) * 100) / 100);

async function runOnce(peer: FanoutPeer, hosts: FanoutHosts, targets: FanoutTargets, parallelism: number, label: string): Promise<TimedRun> {
  const logFrom = hosts.logSize();
  let done = 0;
  let last = performance.now();
  const progress = (n: number) => {
    done = n;
    if (performance.now() - last >= 5000) {
      last = performance.now();
      say(`  ${label}: ${done}/${targets.addresses.length} targets done`);
    }
  };
  const loadBefore = Math.round(os.loadavg()[0]! * 10) / 10;
  const before = { client: processCpuMs('self'), sshd: hosts.sshdCpuMs(), machine: machineCpuMs() };
  const result = await peer.run(targets, parallelism, progress);
  const machine = machineCpuMs();
  const cpuMs = {
    client: Math.round(processCpuMs('self') - before.client),
    sshd: Math.round(hosts.sshdCpuMs() - before.sshd),
    machine: Math.round(machine.busyMs - before.machine.busyMs),
    machineBusyPercent: Math.round(((machine.busyMs - before.machine.busyMs) / Math.max(1, machine.totalMs - before.machine.totalMs)) * 100),
  };
  const activity = sshdActivity(hosts.readLogSince(logFrom));
  const all = result.failed === 0 ? 'every target ok' : `${result.failed} FAILED, e.g. ${result.failures.slice(0, 3).map((f) => `${f.host}: ${f.reason}`).join('; ')}`;
  say(`  ${label}: ${seconds(result.wallMs)} s, ${result.ok} ok, ${all} (sshd: ${activity.accepted} logins, ${activity.dropped} dropped; CPU s: client ${seconds(cpuMs.client)}, sshd ${seconds(cpuMs.sshd)}, machine ${seconds(cpuMs.machine)}, ${cpuMs.machineBusyPercent}% busy)`);
  if (activity.dropped > 0) say(`  WARNING: sshd dropped ${activity.dropped} connections past MaxStartups ${hosts.settings.MaxStartups}`);
  for (const line of activity.errors) say(`  sshd: ${line}`);
  return { ...result, sshd: activity, loadBefore, cpuMs };
}

async function runPhase(peers: FanoutPeer[], unavailable: Map<PeerName, string>, hosts: FanoutHosts, count: number, settings: Settings, warm: boolean): Promise<PeerSummary[]> {
  const targets = hosts.first(count);
  const summaries = new Map<PeerName, PeerSummary>(peers.map((peer) => [peer.name, { peer: peer.name, version: peer.version?.(), runs: [] }]));
  const attempt = async (peer: FanoutPeer, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      const reason = (error as Error).message;
      unavailable.set(peer.name, reason);
      say(`  ${peer.name}: not available: ${reason}`);
    }
  };
  const live = () => (aborting ? [] : peers.filter((peer) => !unavailable.has(peer.name)));
  if (warm) {
    const warmTargets = hosts.first(Math.min(count, 200));
    say(`warm-up: every peer once on ${warmTargets.addresses.length} targets (untimed)`);
    for (const peer of live()) await attempt(peer, () => runOnce(peer, hosts, warmTargets, settings.parallelism, `warm-up ${peer.name}`));
  }
  // Interleaved (each peer once per round), so a drift in the machine's load spreads over all peers.
  for (let round = 1; round <= settings.repeat; round++) {
    say(`${count} targets, parallelism ${settings.parallelism}: round ${round}/${settings.repeat}`);
    for (const peer of live()) await attempt(peer, async () => summaries.get(peer.name)!.runs.push(await runOnce(peer, hosts, targets, settings.parallelism, peer.name)));
  }
  return [...summaries.values()].map((summary) => {
    const reason = unavailable.get(summary.peer);
    const walls = summary.runs.map((run) => run.wallMs);
    if (walls.length === 0) return { ...summary, unavailable: reason ?? 'no run' };
    return {
      ...summary,
      ...(reason && { unavailable: reason }),
      medianMs: Math.round(median(walls)),
      minMs: Math.round(Math.min(...walls)),
      maxMs: Math.round(Math.max(...walls)),
      worstOk: Math.min(...summary.runs.map((run) => run.ok)),
      worstFailed: Math.max(...summary.runs.map((run) => run.failed)),
      cpuMedianMs: {
        client: Math.round(median(summary.runs.map((run) => run.cpuMs.client))),
        sshd: Math.round(median(summary.runs.map((run) => run.cpuMs.sshd))),
        other: Math.round(median(summary.runs.map((run) => Math.max(0, run.cpuMs.machine - run.cpuMs.client - run.cpuMs.sshd)))),
      },
    };
  });
}

function report(count: number, settings: Settings, summaries: PeerSummary[]): string {
  const floor = summaries.find((s) => s.peer === 'pssh')?.medianMs;
  const flowdesk = summaries.find((s) => s.peer === 'flowdesk')?.medianMs;
  const rows = summaries.map((s) => [
    s.peer,
    s.medianMs === undefined ? 'not available' : seconds(s.medianMs),
    s.medianMs === undefined ? '–' : `${seconds(s.minMs)}–${seconds(s.maxMs)}`,
    s.medianMs === undefined ? '–' : `${s.worstOk}/${s.worstFailed}`,
    ratio(s.medianMs, floor)?.toFixed(2) ?? '–',
    ratio(s.medianMs, flowdesk)?.toFixed(2) ?? '–',
    seconds(s.cpuMedianMs?.client),
    seconds(s.cpuMedianMs?.sshd),
    seconds(s.cpuMedianMs?.other),
  ]);
  const lines = [
    `${count} targets, parallelism ${settings.parallelism}, median of ${settings.repeat}:`,
    table(['peer', 'median wall s', 'min–max s', 'hosts ok/failed', '× pssh (floor)', '× FlowDesk', 'CPU s: client', 'sshd', 'rest of machine'], rows),
  ];
  for (const s of summaries) if (s.unavailable) lines.push(`  ${s.peer}: ${s.medianMs === undefined ? 'not available' : 'stopped early'}: ${s.unavailable.replace(/\s*\n\s*/g, ' ')}`);
  for (const s of summaries) if ((s.worstFailed ?? 0) > 0) lines.push(`  ${s.peer}: NOT EVERY TARGET SUCCEEDED (worst run: ${s.worstFailed} failed)`);
  const ansible = summaries.filter((s) => s.peer.startsWith('ansible') && s.medianMs !== undefined);
  if (flowdesk !== undefined && floor !== undefined && ansible.length > 0) {
    const faster = ansible.every((s) => flowdesk < s.medianMs!);
    const withinFloor = flowdesk <= 1.5 * floor;
    lines.push(`goal: FlowDesk faster than Ansible (${faster ? 'met' : 'NOT met'}), within 1.5× of pssh (${withinFloor ? 'met' : 'NOT met'}: ${ratio(flowdesk, floor)}×)`);
  } else lines.push('goal (FlowDesk faster than Ansible, within 1.5× of pssh): not measured');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  let hosts: FanoutHosts | undefined;
  const peers: FanoutPeer[] = [];
  let stopping: Promise<void> | undefined;
  const cleanup = () =>
    (stopping ??= (async () => {
      for (const peer of peers) await peer.close?.().catch((error: Error) => say(`${peer.name}: close failed: ${error.message}`));
      if (hosts) {
        say('stopping the sshd listeners');
        await hosts.stop();
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: shutting down`);
    aborting = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say(`settings ${JSON.stringify(settings)}`);
    hosts = await startFanoutHosts({ count: Math.max(...settings.targets), parallelism: settings.parallelism, say });
    say(`${hosts.addresses.length} targets on port ${hosts.port} as ${hosts.user}, ${hosts.listeners} sshd listener(s), ${JSON.stringify(hosts.settings)}`);
    const workDir = path.join(hosts.dir, 'peers');
    const make: Record<PeerName, () => FanoutPeer> = {
      pssh: () => psshPeer(workDir),
      'ansible-raw': () => ansiblePeer('raw', workDir),
      'ansible-command': () => ansiblePeer('command', workDir),
      flowdesk: () => flowdeskPeer,
    };
    peers.push(...settings.only.map((name) => make[name]()));
    const unavailable = new Map<PeerName, string>();
    for (const peer of peers) {
      try {
        await peer.prepare?.(say);
        say(`${peer.name}: ${peer.version?.() ?? 'ready'}`);
      } catch (error) {
        unavailable.set(peer.name, (error as Error).message);
        say(`${peer.name}: not available: ${(error as Error).message}`);
      }
    }

    const phases: Array<{ targets: number; peers: PeerSummary[] }> = [];
    for (const [i, count] of settings.targets.entries()) phases.push({ targets: count, peers: await runPhase(peers, unavailable, hosts, count, settings, i === 0) });

    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version, loadAverage: os.loadavg() };
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `ssh-fanout-${runId}.json`);
    const openssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
    const sshd = { openssh, listeners: hosts.listeners, port: hosts.port, settings: hosts.settings };
    fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'ssh-fanout', at: new Date().toISOString(), ...(aborting && { interrupted: true }), machine, settings, sshd, phases }, null, 2)}\n`);
    process.stdout.write(`\n${phases.map((phase) => report(phase.targets, settings, phase.peers)).join('\n\n')}\n\nresults: ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
