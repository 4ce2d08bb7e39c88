import snmp from 'net-snmp';
import {
  agentErrorMessage,
  checkGetOids,
  checkTarget,
  errorStatusName,
  normalizeOid,
  prepareSet,
  repetitionsFor,
  shapeVarbind,
  snmpCredentialProblem,
  SnmpInputError,
  SnmpPermanentError,
  walkLimits,
  walkPage,
  type SnmpErrorStatus,
  type SnmpSetVarbind,
  type SnmpVarbind,
  type WalkLimits,
  type WalkResult,
  type WalkStop,
} from '../../domain/automation/snmp';
import type { ResolvedCredential } from '../../domain/credential';
import { openSnmpSession, SnmpNoResponse, type SnmpTarget } from '../clients/snmp';

/**
 * What the runbook steps `snmp.get`, `snmp.walk` and `snmp.set` do on a zone worker:
 * one SNMP session per call (v2c community or v3 user from a resolved credential),
 * closed when the call ends. Errors come classified: `SnmpNoResponse` is worth retrying;
 * every `SnmpPermanentError` (auth, credential, agent error status, bad input, bad answer)
 * fails the same way again. docs/automation-snmp.md.
 */

export { SnmpInputError, SnmpNoResponse, SnmpPermanentError };
export type { SnmpSetVarbind, SnmpTarget, SnmpVarbind, WalkLimits, WalkResult, WalkStop };

/** The agent refused the SNMPv3 user, its keys or its security level. */
export class SnmpAuthError extends SnmpPermanentError {
  override readonly name: string = 'SnmpAuthError';
}

/** The credential is not an SNMP one, or lacks what its kind or security level needs. */
export class SnmpCredentialError extends SnmpPermanentError {
  override readonly name: string = 'SnmpCredentialError';
}

/** The agent answered with an error status (notWritable, wrongType, noAccess…), naming the OID when it said which. */
export class SnmpAgentError extends SnmpPermanentError {
  override readonly name: string = 'SnmpAgentError';
  constructor(
    message: string,
    readonly status: SnmpErrorStatus,
    readonly oid?: string,
  ) {
    super(message);
  }
}

/** The agent answered, but with something that is not a valid answer to the request. */
export class SnmpResponseError extends SnmpPermanentError {
  override readonly name: string = 'SnmpResponseError';
}

type Operation = 'get' | 'walk' | 'set';

/** The objects at `oids`, in order; an OID without a value keeps its place with its exception (noSuchObject…). */
export async function get(target: SnmpTarget, credential: ResolvedCredential, oids: string[]): Promise<SnmpVarbind[]> {
  const checked = checkGetOids(oids);
  return withConnection(target, credential, async (connection) => (await connection.get(checked)).map(shapeVarbind));
}

/**
 * The objects under `rootOid`, in order, by GETBULK. Ends at the end of the subtree, at
 * `maxRows` (`truncated: true`), at the deadline (what arrived is returned, `truncated:
 * true`), or when the agent answers an OID that does not follow the last one.
 */
export async function walk(target: SnmpTarget, credential: ResolvedCredential, rootOid: string, options: Partial<WalkLimits> = {}): Promise<WalkResult> {
  const root = normalizeOid(rootOid, 'root OID');
  const limits = walkLimits(options);
  return withConnection(target, credential, (connection) => walkOn(connection, target, root, limits, Date.now() + limits.deadlineMs));
}

/**
 * Several subtrees (a table's columns) walked one after the other on one session, as
 * `walk` walks each, sharing one deadline: one SNMPv3 engine discovery for all of them.
 * The results are in the order of `rootOids`.
 */
export async function walkAll(target: SnmpTarget, credential: ResolvedCredential, rootOids: readonly string[], options: Partial<WalkLimits> = {}): Promise<WalkResult[]> {
  const roots = rootOids.map((oid, i) => normalizeOid(oid, `root OID ${i + 1}`));
  const limits = walkLimits(options);
  return withConnection(target, credential, async (connection) => {
    const deadline = Date.now() + limits.deadlineMs;
    const results: WalkResult[] = [];
    for (const root of roots) results.push(await walkOn(connection, target, root, limits, deadline));
    return results;
  });
}

async function walkOn(connection: Connection, target: SnmpTarget, root: string, limits: WalkLimits, deadline: number): Promise<WalkResult> {
  const rows: SnmpVarbind[] = [];
  const done = (stoppedBy: WalkStop): WalkResult => ({ root, rows, truncated: stoppedBy !== 'end', stoppedBy, requests });
  let requests = 0;
  let after = root;
  let cap = limits.maxRepetitions;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return done('deadline');
    let page: SnmpVarbind[] | undefined;
    try {
      page = await beforeDeadline(connection.getBulk(after, Math.min(cap, repetitionsFor(limits, rows.length))), left);
    } catch (error) {
      // An agent that cannot fit the answer in one message: ask for fewer at a time.
      if (error instanceof SnmpAgentError && error.status === 'tooBig' && cap > 1) {
        cap = Math.ceil(cap / 2);
        continue;
      }
      throw error;
    }
    if (!page) {
      if (requests === 0) throw new SnmpNoResponse(`no SNMP answer from ${target.address}:${target.port} to walk within its deadline of ${limits.deadlineMs} ms`);
      return done('deadline');
    }
    requests++;
    const step = walkPage(root, after, page, limits.maxRows - rows.length);
    rows.push(...step.rows);
    if (step.stop) return done(step.stop);
    after = step.next!;
  }
}

/**
 * Sets the objects in one SET request (the agent applies all or none), after checking
 * every value against its type. Returns the agent's answer: the objects as set.
 */
export async function set(target: SnmpTarget, credential: ResolvedCredential, varbinds: SnmpSetVarbind[]): Promise<SnmpVarbind[]> {
  const prepared = prepareSet(varbinds);
  const wire = prepared.map((v) => ({ oid: v.oid, type: v.tag as snmp.ObjectType, value: v.value instanceof Uint8Array ? Buffer.from(v.value) : v.value }));
  return withConnection(target, credential, async (connection) => (await connection.set(wire)).map(shapeVarbind));
}

async function withConnection<T>(target: SnmpTarget, credential: ResolvedCredential, use: (connection: Connection) => Promise<T>): Promise<T> {
  checkTarget(target);
  const problem = snmpCredentialProblem(credential);
  if (problem) throw new SnmpCredentialError(problem);
  let session: snmp.Session;
  try {
    session = openSnmpSession(target, credential);
  } catch (error) {
    throw new SnmpCredentialError(`credential ${credential.name} cannot open an SNMP session: ${(error as Error).message}`);
  }
  try {
    return await use(new Connection(session, target, credential));
  } finally {
    session.close();
  }
}

/** Requests on one session, their errors classified with what the session saw. */
class Connection {
  /** An authenticated answer arrived on this session. */
  private answered = false;
  /** Something arrived that is not an SNMP message (net-snmp drops it and the request times out). */
  private garbled?: Error;

  constructor(
    private readonly session: snmp.Session,
    private readonly target: SnmpTarget,
    private readonly credential: ResolvedCredential,
  ) {
    // Without a listener, a malformed datagram would be thrown from the socket's handler.
    session.on('error', (error: Error) => (this.garbled = error));
  }

  get(oids: string[]): Promise<snmp.Varbind[]> {
    return this.request('get', (done) => this.session.get(oids, done));
  }

  async getBulk(after: string, maxRepetitions: number): Promise<SnmpVarbind[]> {
    const columns = await this.request<(snmp.Varbind | snmp.Varbind[])[]>('walk', (done) => this.session.getBulk([after], 0, maxRepetitions, done));
    const column = columns[0];
    return (Array.isArray(column) ? column : column ? [column] : []).map(shapeVarbind);
  }

  set(varbinds: snmp.Varbind[]): Promise<snmp.Varbind[]> {
    return this.request('set', (done) => this.session.set(varbinds, done));
  }

  private request<T>(operation: Operation, send: (done: (error: Error | null, result?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (error: Error | null, result?: T) => {
        if (error) return reject(this.classify(operation, error));
        this.answered = true;
        resolve(result as T);
      };
      try {
        send(done);
      } catch (error) {
        reject(this.classify(operation, error as Error));
      }
    });
  }

  private classify(operation: Operation, error: Error): Error {
    const { address, port, timeoutMs } = this.target;
    const user = this.credential.kind === 'snmp_v3' ? this.credential : undefined;
    const failed = error as Error & { status?: number; code?: number };
    switch (failed.name) {
      case 'RequestTimedOutError':
        if (this.garbled) return new SnmpResponseError(`${address}:${port} answered ${operation} with something that is not an SNMP message (${this.garbled.message})`);
        // The agent answered engine discovery (unencrypted) but never the encrypted request:
        // Net-SNMP drops a request it cannot decrypt without a word.
        if (user?.securityLevel === 'authPriv' && !this.answered && (this.session as unknown as { msgSecurityParameters?: unknown }).msgSecurityParameters) {
          return new SnmpAuthError(`${address}:${port} answered SNMPv3 engine discovery but not the encrypted ${operation} of user '${user.username}': the privKey or privProtocol (${user.privProtocol}) is probably wrong`);
        }
        return new SnmpNoResponse(
          `no SNMP answer from ${address}:${port} to ${operation} (2 attempts of ${timeoutMs} ms)` +
            (user ? '' : '; over v2c a wrong community looks the same, the agent drops it without answering') +
            (operation === 'set' ? '; a SET without an answer may or may not have been applied' : ''),
        );
      case 'RequestFailedError': {
        const status = errorStatusName(failed.status ?? 5);
        const oid = /:\s*([\d.]+)$/.exec(failed.message)?.[1];
        return new SnmpAgentError(agentErrorMessage(operation, status, oid), status, oid);
      }
      case 'ResponseInvalidError':
        return this.invalidResponse(operation, failed.message, failed.code);
      case 'RequestInvalidError':
        return new SnmpInputError(`the ${operation} request could not be encoded: ${failed.message}`);
    }
    if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(failed.message)) return new SnmpNoResponse(`no SNMP answer from ${address}:${port} to ${operation} (${failed.message})`);
    return error;
  }

  private invalidResponse(operation: Operation, message: string, code?: number): Error {
    const { address, port } = this.target;
    const user = this.credential.kind === 'snmp_v3' ? this.credential : { username: '?', securityLevel: '?', authProtocol: '?', privProtocol: '?' };
    const refused = (why: string) => new SnmpAuthError(`${address}:${port} refused the ${operation}: ${why}`);
    if (code === snmp.ResponseInvalidCode.EAuthFailure) {
      if (message === 'Unknown User Name') return refused(`it has no SNMPv3 user '${user.username}'`);
      if (message.startsWith('Wrong Digest')) return refused(`the authKey or authProtocol (${user.authProtocol}) of user '${user.username}' is wrong`);
      if (message === 'Unsupported Security Level') return refused(`user '${user.username}' may not use security level ${user.securityLevel}`);
      if (message === 'Decryption Error') return refused(`it could not decrypt the request: the privKey or privProtocol (${user.privProtocol}) of user '${user.username}' is wrong`);
      // Engine time or ID out of step: a fresh session synchronises again, so this one may be retried.
      if (message === 'Not In Time Window' || message === 'Unknown Engine ID') return new Error(`${address}:${port}: SNMPv3 ${message.toLowerCase()}`);
      return refused(`the answer does not authenticate with the authKey of user '${user.username}' (${message})`);
    }
    if (code === snmp.ResponseInvalidCode.ECouldNotDecrypt) return refused(`its answer does not decrypt with the privKey of user '${user.username}' (${message})`);
    if (code === 14 /* ENotInTimeWindow */) return new Error(`${address}:${port}: ${message}`);
    return new SnmpResponseError(`${address}:${port} gave an invalid answer to ${operation}: ${message}`);
  }
}

/** `work`'s result, or undefined when `ms` pass first (the request is abandoned; closing the session ends it). */
function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
