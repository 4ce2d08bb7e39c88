/**
 * Multi-level approval as a pure, serialisable state machine. A ticket workflow holds one,
 * applies decisions and delegations as Updates (validated with `approvalRejection` /
 * `delegationRejection` first, so a refused vote never enters history) and keeps a durable
 * timer on `nextApprovalDueAt`, calling `applyDue` when it fires.
 *
 * Levels run one after another. A level is decided as soon as its outcome is certain: its
 * mode is satisfied (approved) or its rejection rule is met (rejected). Everyone who has not
 * voted by then becomes 'not_required'. A rejected level rejects the whole approval; an
 * approved one starts the next level, and the last one approves the approval.
 *
 * Delegation goes one hop: an approver hands their vote on the current level to one user,
 * who then votes in their place; the delegate cannot pass it on (the approver, or an admin,
 * may re-delegate instead). See docs/approvals.md for the full rules.
 */

import { TransitionRejected } from './ticket/common';

export type ApprovalMode =
  | { type: 'any' }
  | { type: 'all' }
  /** At least `percent`% of the level's approvers, rounded up (50% of 3 = 2). */
  | { type: 'percentage'; percent: number }
  | { type: 'at_least'; count: number };

/** What happens when a level is still undecided at its due time. */
export type DueAction = 'approve' | 'reject' | 'escalate';

/**
 * When a level is rejected: at the first rejection, or only once the mode can no longer be
 * satisfied by the votes still outstanding.
 */
export type RejectionRule = 'any_rejection' | 'quorum_impossible';

/** A level as configured, with its approvers already resolved to user names. */
export interface ApprovalLevelSpec {
  name: string;
  approvers: string[];
  mode: ApprovalMode;
  dueInMs?: number;
  onDue?: DueAction;
  escalateTo?: string[];
  rejectWhen?: RejectionRule;
}

export type ApproverState = 'pending' | 'approved' | 'rejected' | 'not_required';

export interface Approver {
  user: string;
  state: ApproverState;
  /** Who votes in this approver's place; null when the approver votes themselves. */
  delegatedTo: string | null;
  /** The delegate who cast the vote; null when the approver cast it (or nobody yet). */
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

export type ApprovalLevelState = 'waiting' | 'pending' | 'approved' | 'rejected';

export interface ApprovalLevel {
  name: string;
  mode: ApprovalMode;
  rejectWhen: RejectionRule;
  onDue: DueAction | null;
  escalateTo: string[];
  /** The time a level has to decide, counted from its start; kept to compute `dueAt` and the escalation's extension. */
  dueInMs: number | null;
  dueAt: string | null;
  startedAt: string | null;
  /** When the due time escalated the level; a level escalates at most once. */
  escalatedAt: string | null;
  decidedAt: string | null;
  state: ApprovalLevelState;
  approvers: Approver[];
}

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected';

export interface Approval {
  levels: ApprovalLevel[];
  /** The level being decided, or the one that decided the outcome (0 when there are no levels). */
  current: number;
  outcome: ApprovalOutcome;
  decidedAt: string | null;
}

export interface ApprovalDecision {
  user: string;
  decision: 'approve' | 'reject';
  comment?: string | null;
}

export interface Delegation {
  /** The approver whose vote is handed on. */
  from: string;
  /** The user who will vote in their place. */
  to: string;
  /** Who asks: the approver themselves, or an admin (`byAdmin`, established by the caller). */
  by: string;
  byAdmin?: boolean;
}

function instant(t: string): string {
  const value = Date.parse(t);
  if (Number.isNaN(value)) throw new Error(`not an ISO-8601 instant: ${JSON.stringify(t)}`);
  return new Date(value).toISOString();
}

const addMs = (t: string, amount: number): string => new Date(Date.parse(t) + amount).toISOString();

/** Removes duplicates but keeps the configured order: a manager may also be a group member. */
const distinct = (users: readonly string[]): string[] => [...new Set(users)];

// ---------------------------------------------------------------------------------------
// Starting

/** Why a level spec cannot run; null when it is valid. */
function specProblem(spec: ApprovalLevelSpec, approvers: string[]): string | null {
  const { mode, dueInMs, onDue, escalateTo = [] } = spec;
  if (!spec.name?.trim()) return 'has no name';
  if (approvers.length === 0) return 'has no approvers';
  if (approvers.some((u) => typeof u !== 'string' || !u.trim())) return 'has a blank approver name';
  if (mode?.type === 'percentage' && !(Number.isFinite(mode.percent) && mode.percent > 0 && mode.percent <= 100))
    return `percentage must be a number in (0, 100], got ${mode.percent}`;
  if (mode?.type === 'at_least' && !(Number.isSafeInteger(mode.count) && mode.count >= 1))
    return `at_least count must be a positive integer, got ${mode.count}`;
  if (mode?.type === 'at_least' && mode.count > approvers.length)
    return `at_least ${mode.count} can never be met by its ${approvers.length} approver(s)`;
  if (!['any', 'all', 'percentage', 'at_least'].includes(mode?.type)) return `unknown mode ${JSON.stringify(mode)}`;
  if (spec.rejectWhen !== undefined && !['any_rejection', 'quorum_impossible'].includes(spec.rejectWhen))
    return `unknown rejectWhen '${spec.rejectWhen}'`;
  if (dueInMs !== undefined && !(Number.isFinite(dueInMs) && dueInMs > 0)) return `dueInMs must be a positive number of ms, got ${dueInMs}`;
  if (onDue !== undefined && !['approve', 'reject', 'escalate'].includes(onDue)) return `unknown onDue '${onDue}'`;
  // A due time without an action would fire a timer that changes nothing, and vice versa.
  if ((dueInMs === undefined) !== (onDue === undefined)) return 'dueInMs and onDue go together: set both or neither';
  if (onDue === 'escalate' && escalateTo.length === 0) return "onDue 'escalate' needs at least one user in escalateTo";
  if (onDue !== 'escalate' && escalateTo.length > 0) return "escalateTo is used only with onDue 'escalate'";
  if (escalateTo.some((u) => typeof u !== 'string' || !u.trim())) return 'has a blank escalateTo name';
  return null;
}

function pendingApprover(user: string): Approver {
  return { user, state: 'pending', delegatedTo: null, decidedBy: null, decidedAt: null, comment: null };
}

/** 'all' is rejected by its first rejection either way; the others wait until approval is out of reach. */
function defaultRejectionRule(mode: ApprovalMode): RejectionRule {
  return mode.type === 'all' ? 'any_rejection' : 'quorum_impossible';
}

function levelFromSpec(spec: ApprovalLevelSpec, index: number): ApprovalLevel {
  const approvers = distinct(spec.approvers ?? []);
  const problem = specProblem(spec, approvers);
  if (problem) throw new Error(`approval level ${index + 1}${spec.name ? ` '${spec.name}'` : ''} ${problem}`);
  return {
    name: spec.name,
    mode: spec.mode,
    rejectWhen: spec.rejectWhen ?? defaultRejectionRule(spec.mode),
    onDue: spec.onDue ?? null,
    escalateTo: distinct(spec.escalateTo ?? []),
    dueInMs: spec.dueInMs ?? null,
    dueAt: null,
    startedAt: null,
    escalatedAt: null,
    decidedAt: null,
    state: 'waiting',
    approvers: approvers.map(pendingApprover),
  };
}

function startLevel(level: ApprovalLevel, now: string): ApprovalLevel {
  const dueAt = level.dueInMs === null ? null : addMs(now, level.dueInMs);
  return { ...level, state: 'pending', startedAt: now, dueAt };
}

/**
 * Starts an approval with its first level pending. Every level is validated up front, so a
 * misconfigured later level fails now rather than days into the approval. No levels at all
 * means nothing needs approving: the approval is approved at once.
 */
export function startApproval(levels: ApprovalLevelSpec[], now: string): Approval {
  const at = instant(now);
  const built = levels.map(levelFromSpec);
  if (built.length === 0) return { levels: [], current: 0, outcome: 'approved', decidedAt: at };
  return { levels: [startLevel(built[0]!, at), ...built.slice(1)], current: 0, outcome: 'pending', decidedAt: null };
}

// ---------------------------------------------------------------------------------------
// Counting

export function currentLevel(approval: Approval): ApprovalLevel | undefined {
  return approval.levels[approval.current];
}

/** How many approvals the level needs, given its approvers now (escalation may add some). */
export function requiredApprovals(level: ApprovalLevel): number {
  const n = level.approvers.length;
  switch (level.mode.type) {
    case 'any':
      return 1;
    case 'all':
      return n;
    case 'percentage':
      return Math.ceil((level.mode.percent * n) / 100);
    case 'at_least':
      return level.mode.count;
  }
}

function tally(level: ApprovalLevel): { approved: number; rejected: number; pending: number } {
  const count = (state: ApproverState) => level.approvers.filter((a) => a.state === state).length;
  return { approved: count('approved'), rejected: count('rejected'), pending: count('pending') };
}

/** The level's outcome if its votes already settle it, else null. Approval is checked first. */
function settledOutcome(level: ApprovalLevel): 'approved' | 'rejected' | null {
  const { approved, rejected, pending } = tally(level);
  const needed = requiredApprovals(level);
  if (approved >= needed) return 'approved';
  if (level.rejectWhen === 'any_rejection' && rejected > 0) return 'rejected';
  if (approved + pending < needed) return 'rejected';
  return null;
}

// ---------------------------------------------------------------------------------------
// Moving on

function withCurrentLevel(approval: Approval, level: ApprovalLevel): Approval {
  return { ...approval, levels: approval.levels.map((l, i) => (i === approval.current ? level : l)) };
}

/** Closes the current level; votes still outstanding are no longer needed. */
function closeLevel(level: ApprovalLevel, state: 'approved' | 'rejected', now: string): ApprovalLevel {
  const approvers = level.approvers.map((a): Approver => (a.state === 'pending' ? { ...a, state: 'not_required' } : a));
  return { ...level, state, decidedAt: now, approvers };
}

/** Records the current level's outcome and starts the next level, or finishes the approval. */
function conclude(approval: Approval, state: 'approved' | 'rejected', now: string): Approval {
  const closed = withCurrentLevel(approval, closeLevel(currentLevel(approval)!, state, now));
  const next = approval.current + 1;
  if (state === 'rejected') return { ...closed, outcome: 'rejected', decidedAt: now };
  if (next >= closed.levels.length) return { ...closed, outcome: 'approved', decidedAt: now };
  const levels = closed.levels.map((l, i) => (i === next ? startLevel(l, now) : l));
  return { ...closed, levels, current: next };
}

function concludeIfSettled(approval: Approval, now: string): Approval {
  const outcome = settledOutcome(currentLevel(approval)!);
  return outcome ? conclude(approval, outcome, now) : approval;
}

// ---------------------------------------------------------------------------------------
// Deciding

/** The entry through which `user` votes now: their own, or the one whose vote they hold. */
function seatOf(level: ApprovalLevel, user: string): Approver | undefined {
  return level.approvers.find((a) => (a.delegatedTo ?? a.user) === user);
}

function finishedReason(approval: Approval): string | null {
  return approval.outcome === 'pending' ? null : `the approval is already ${approval.outcome}`;
}

/** Why `decision` cannot be applied now, in words for the person who tried; null when it can. */
export function approvalRejection(approval: Approval, { user, decision, comment }: ApprovalDecision): string | null {
  if (decision !== 'approve' && decision !== 'reject') return `unknown decision '${String(decision)}': expected approve or reject`;
  const finished = finishedReason(approval);
  if (finished) return finished;
  const level = currentLevel(approval)!;
  const seat = seatOf(level, user);
  if (!seat) {
    const own = level.approvers.find((a) => a.user === user);
    return own
      ? `${user} delegated their vote on level '${level.name}' to ${own.delegatedTo}, who decides in their place`
      : `${user} is not an approver of level '${level.name}'`;
  }
  if (seat.state !== 'pending') return `${seat.user} has already ${seat.state} level '${level.name}'`;
  // A rejection stops the request; the requester is owed a reason.
  if (decision === 'reject' && !comment?.trim()) return 'a rejection requires a comment';
  return null;
}

/** Applies an approver's (or their delegate's) vote; throws TransitionRejected when it is not allowed. */
export function decide(approval: Approval, decision: ApprovalDecision, now: string): Approval {
  const reason = approvalRejection(approval, decision);
  if (reason) throw new TransitionRejected(reason);
  const at = instant(now);
  const level = currentLevel(approval)!;
  const seat = seatOf(level, decision.user)!;
  const voted: Approver = {
    ...seat,
    state: decision.decision === 'approve' ? 'approved' : 'rejected',
    decidedBy: decision.user === seat.user ? null : decision.user,
    decidedAt: at,
    comment: decision.comment?.trim() || null,
  };
  const approvers = level.approvers.map((a) => (a === seat ? voted : a));
  return concludeIfSettled(withCurrentLevel(approval, { ...level, approvers }), at);
}

// ---------------------------------------------------------------------------------------
// Delegating

/** Why `delegation` cannot be applied now; null when it can. */
export function delegationRejection(approval: Approval, { from, to, by, byAdmin = false }: Delegation): string | null {
  const finished = finishedReason(approval);
  if (finished) return finished;
  const level = currentLevel(approval)!;
  const seat = level.approvers.find((a) => a.user === from);
  if (!seat) {
    const held = level.approvers.find((a) => a.delegatedTo === from);
    return held
      ? `${from} holds ${held.user}'s vote as a delegate and cannot pass it on: delegation goes one hop (${held.user} or an admin may re-delegate)`
      : `${from} is not an approver of level '${level.name}'`;
  }
  if (by !== from && !byAdmin) return `only ${from} or an admin may delegate ${from}'s vote`;
  if (seat.state !== 'pending') return `${from} has already ${seat.state} level '${level.name}'`;
  if (!to?.trim()) return 'name the user who should decide instead';
  if (to === from) return `${from} cannot delegate to themselves`;
  if (seat.delegatedTo === to) return `${from} has already delegated to ${to}`;
  // One person, one vote: someone already voting on the level cannot take a second one.
  if (level.approvers.some((a) => a.user === to)) return `${to} is already an approver of level '${level.name}'`;
  const holder = level.approvers.find((a) => a.delegatedTo === to);
  if (holder) return `${to} already holds ${holder.user}'s vote on level '${level.name}'`;
  return null;
}

/**
 * Hands `from`'s vote on the current level to `to` (replacing an earlier delegate); throws
 * TransitionRejected when not allowed. The instant is taken for symmetry with the other
 * operations: the timeline entry the caller writes records when and by whom.
 */
export function delegate(approval: Approval, delegation: Delegation, _now: string): Approval {
  const reason = delegationRejection(approval, delegation);
  if (reason) throw new TransitionRejected(reason);
  const level = currentLevel(approval)!;
  const approvers = level.approvers.map((a) => (a.user === delegation.from ? { ...a, delegatedTo: delegation.to } : a));
  return withCurrentLevel(approval, { ...level, approvers });
}

// ---------------------------------------------------------------------------------------
// Due time

/**
 * The first due time adds the escalation users as pending approvers (skipping anyone who
 * already votes on the level, as approver or delegate) and moves the due time by the level's
 * duration. A level escalates once: at the moved due time nothing more happens automatically
 * and the level waits for its approvers without a due time.
 */
function escalate(level: ApprovalLevel, dueAt: string, now: string): ApprovalLevel {
  if (level.escalatedAt !== null) return { ...level, dueAt: null };
  const voting = new Set(level.approvers.flatMap((a) => (a.delegatedTo ? [a.user, a.delegatedTo] : [a.user])));
  const added = level.escalateTo.filter((u) => !voting.has(u)).map(pendingApprover);
  return { ...level, approvers: [...level.approvers, ...added], escalatedAt: now, dueAt: addMs(dueAt, level.dueInMs ?? 0) };
}

/**
 * Applies the current level's due action when its due time has come (dueAt <= now). Returns
 * the same object when nothing is due, so a timer firing early or twice changes nothing.
 */
export function applyDue(approval: Approval, now: string): Approval {
  const at = instant(now);
  const level = currentLevel(approval);
  if (approval.outcome !== 'pending' || !level?.dueAt || Date.parse(level.dueAt) > Date.parse(at)) return approval;
  switch (level.onDue) {
    case 'approve':
    case 'reject':
      return conclude(approval, level.onDue === 'approve' ? 'approved' : 'rejected', at);
    case 'escalate':
      return withCurrentLevel(approval, escalate(level, level.dueAt, at));
    case null:
      return withCurrentLevel(approval, { ...level, dueAt: null });
  }
}

/** When the workflow's timer should next call `applyDue`; null when nothing is due. */
export function nextApprovalDueAt(approval: Approval): string | null {
  return approval.outcome === 'pending' ? (currentLevel(approval)?.dueAt ?? null) : null;
}

// ---------------------------------------------------------------------------------------
// Who must act

/** The users who must still vote now: delegates in place of the approvers who delegated. */
export function pendingApprovers(approval: Approval): string[] {
  if (approval.outcome !== 'pending') return [];
  const level = currentLevel(approval)!;
  return level.approvers.filter((a) => a.state === 'pending').map((a) => a.delegatedTo ?? a.user);
}

export function isPendingFor(approval: Approval, user: string): boolean {
  return pendingApprovers(approval).includes(user);
}

/**
 * A timeline sentence for a decision, computed from the approval *before* it is applied:
 * "alice approved level 'Manager' (1 of 1 needed): looks fine". A delegate's vote names the
 * approver it stands for.
 */
export function describeDecision(before: Approval, { user, decision, comment }: ApprovalDecision): string {
  const verb = decision === 'approve' ? 'approved' : 'rejected';
  const why = comment?.trim() ? `: ${comment.trim()}` : '';
  const level = currentLevel(before);
  if (!level) return `${user} ${verb}${why}`;
  const seat = seatOf(level, user);
  const who = seat && seat.user !== user ? `${user} (for ${seat.user})` : user;
  const approvals = tally(level).approved + (decision === 'approve' ? 1 : 0);
  const needed = requiredApprovals(level);
  const count = decision === 'approve' ? `${approvals} of ${needed} needed` : `${approvals} of ${needed} needed approvals so far`;
  return `${who} ${verb} level '${level.name}' (${count})${why}`;
}
