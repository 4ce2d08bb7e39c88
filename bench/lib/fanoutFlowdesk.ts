import type { FanoutTargets } from './fanoutHosts';
import type { PeerResult } from './fanoutPeers';

/**
 * The FlowDesk side of the SSH fan-out bench (issue 6), to be written with the run engine.
 *
 * `runFlowDesk` runs FANOUT_COMMAND (`uptime`) on every address of `hosts` with at most
 * `parallelism` targets in flight, through FlowDesk as a user would: on its first call it
 * starts the FlowDesk stack (kept for later calls; `stopFlowDesk` ends it), makes sure there
 * is a CI per address (and the SSH credential: `hosts.user`, `hosts.privateKeyPath`, host keys
 * from `hosts.knownHostsPath`, port `hosts.port`), then starts a run through the API and waits
 * for it to finish.
 *
 * - `wallMs` is timed inside: from the API call that starts the run to the moment the run is
 *   seen finished; stack start-up and CI creation are not in it. The bench warms every peer
 *   once (on the first targets) before it times anything.
 * - `ok` counts the targets whose command exited 0 with output matching FANOUT_OUTPUT;
 *   `failed` the others (`ok + failed === hosts.addresses.length`), with the first few in
 *   `failures`; `command` is the API request(s), e.g. `POST /api/v1/runs {…}`.
 * - It may be called several times, and with different `hosts.addresses` (the bench runs a
 *   200-target and a 1,000-target phase on one set of sshd listeners, same port and key).
 * - Throw when FlowDesk cannot run at all; the bench reports the peer as not available with
 *   the message and goes on with the others.
 */
export async function runFlowDesk(hosts: FanoutTargets, parallelism: number): Promise<PeerResult> {
  void hosts;
  void parallelism;
  throw new Error('FlowDesk run engine not wired yet');
}

/** Ends whatever runFlowDesk started (the stack, its temp directory); the bench calls it once at the end, also after an error or a signal. */
export async function stopFlowDesk(): Promise<void> {}
