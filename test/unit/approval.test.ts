import {
  type Approval,
  type ApprovalDecision,
  type ApprovalLevelSpec,
  applyDue,
  approvalRejection,
  currentLevel,
  decide,
  delegate,
  delegationRejection,
  describeDecision,
  isPendingFor,
  nextApprovalDueAt,
  pendingApprovers,
  requiredApprovals,
  startApproval,
} from '../../domain/approval';
import { TransitionRejected } from '../../domain/ticket/common';

const H = 3_600_000;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(T0) + hours * H).toISOString();

const level = (name: string, approvers: string[], extra: Partial<ApprovalLevelSpec> = {}): ApprovalLevelSpec => ({
  name,
  approvers,
  mode: { type: 'any' },
  ...extra,
});
const approve = (user: string, comment: string | null = null): ApprovalDecision => ({ user, decision: 'approve', comment });
const reject = (user: string, comment: string | null = 'no'): ApprovalDecision => ({ user, decision: 'reject', comment });

/** Applies decisions in order, one hour apart. */
function run(approval: Approval, ...decisions: ApprovalDecision[]): Approval {
  return decisions.reduce((a, d, i) => decide(a, d, at(i + 1)), approval);
}
const statesOf = (a: Approval, index = a.current) => Object.fromEntries(a.levels[index]!.approvers.map((p) => [p.user, p.state]));

describe('starting an approval', () => {
  it('starts the first level pending with its due time; later levels wait', () => {
    const a = startApproval([level('Manager', ['mia'], { dueInMs: 24 * H, onDue: 'reject' }), level('CAB', ['cab1', 'cab2'])], T0);
    expect(a).toMatchObject({ current: 0, outcome: 'pending', decidedAt: null });
    expect(a.levels[0]).toEqual({
      name: 'Manager',
      mode: { type: 'any' },
      rejectWhen: 'quorum_impossible',
      onDue: 'reject',
      escalateTo: [],
      dueInMs: 24 * H,
      dueAt: at(24),
      startedAt: T0,
      escalatedAt: null,
      decidedAt: null,
      state: 'pending',
      approvers: [{ user: 'mia', state: 'pending', delegatedTo: null, decidedBy: null, decidedAt: null, comment: null }],
    });
    expect(a.levels[1]).toMatchObject({ state: 'waiting', startedAt: null, dueAt: null, onDue: null });
    expect(nextApprovalDueAt(a)).toBe(at(24));
    expect(pendingApprovers(a)).toEqual(['mia']);
  });

  it('is approved at once when there are no levels', () => {
    const a = startApproval([], T0);
    expect(a).toEqual({ levels: [], current: 0, outcome: 'approved', decidedAt: T0 });
    expect(pendingApprovers(a)).toEqual([]);
    expect(nextApprovalDueAt(a)).toBeNull();
    expect(approvalRejection(a, approve('mia'))).toBe('the approval is already approved');
  });

  it('defaults the rejection rule per mode', () => {
    const a = startApproval(
      [
        level('any', ['a']),
        level('all', ['a'], { mode: { type: 'all' } }),
        level('pct', ['a'], { mode: { type: 'percentage', percent: 50 } }),
        level('min', ['a'], { mode: { type: 'at_least', count: 1 } }),
        level('explicit', ['a', 'b'], { rejectWhen: 'any_rejection' }),
      ],
      T0,
    );
    expect(a.levels.map((l) => l.rejectWhen)).toEqual(['quorum_impossible', 'any_rejection', 'quorum_impossible', 'quorum_impossible', 'any_rejection']);
  });

  it('removes duplicate approvers, keeping the first occurrence', () => {
    const a = startApproval([level('Group', ['bo', 'al', 'bo'], { mode: { type: 'all' } })], T0);
    expect(a.levels[0]!.approvers.map((p) => p.user)).toEqual(['bo', 'al']);
    expect(requiredApprovals(a.levels[0]!)).toBe(2);
  });

  it('normalises the instant to ISO UTC', () => {
    expect(startApproval([level('L', ['a'])], '2026-06-01T10:00:00+02:00').levels[0]!.startedAt).toBe(T0);
  });

  it.each<[string, ApprovalLevelSpec[], RegExp]>([
    ['no approvers', [level('Manager', [])], /approval level 1 'Manager' has no approvers/],
    ['no approvers on a later level', [level('A', ['a']), level('CAB', [])], /approval level 2 'CAB' has no approvers/],
    ['a blank approver', [level('A', ['a', ' '])], /blank approver/],
    ['a blank name', [level(' ', ['a'])], /level 1 .*has no name/],
    ['at_least above the approvers', [level('CAB', ['a', 'b'], { mode: { type: 'at_least', count: 3 } })], /at_least 3 can never be met by its 2 approver/],
    ['at_least zero', [level('CAB', ['a'], { mode: { type: 'at_least', count: 0 } })], /positive integer/],
    ['at_least fractional', [level('CAB', ['a', 'b'], { mode: { type: 'at_least', count: 1.5 } })], /positive integer/],
    ['percentage zero', [level('CAB', ['a'], { mode: { type: 'percentage', percent: 0 } })], /percentage must be a number in \(0, 100\]/],
    ['percentage above 100', [level('CAB', ['a'], { mode: { type: 'percentage', percent: 120 } })], /percentage/],
    ['an unknown mode', [level('CAB', ['a'], { mode: { type: 'most' } as never })], /unknown mode/],
    ['an unknown rejection rule', [level('CAB', ['a'], { rejectWhen: 'never' as never })], /unknown rejectWhen/],
    ['an unknown due action', [level('CAB', ['a'], { dueInMs: H, onDue: 'ignore' as never })], /unknown onDue/],
    ['a due time without action', [level('CAB', ['a'], { dueInMs: H })], /dueInMs and onDue go together/],
    ['an action without due time', [level('CAB', ['a'], { onDue: 'approve' })], /dueInMs and onDue go together/],
    ['a non-positive due time', [level('CAB', ['a'], { dueInMs: 0, onDue: 'approve' })], /dueInMs must be a positive/],
    ['escalation without users', [level('CAB', ['a'], { dueInMs: H, onDue: 'escalate' })], /needs at least one user in escalateTo/],
    ['escalateTo without escalation', [level('CAB', ['a'], { dueInMs: H, onDue: 'reject', escalateTo: ['boss'] })], /escalateTo is used only with onDue 'escalate'/],
  ])('rejects %s', (_, specs, message) => {
    expect(() => startApproval(specs, T0)).toThrow(message);
  });

  it('rejects an invalid instant', () => {
    expect(() => startApproval([level('A', ['a'])], 'yesterday')).toThrow(/not an ISO-8601 instant/);
  });
});

describe('modes', () => {
  it('any: the first approval approves the level; the others become not_required', () => {
    const a = run(startApproval([level('Group', ['al', 'bo', 'cy'])], T0), approve('bo', 'fine'));
    expect(a).toMatchObject({ outcome: 'approved', decidedAt: at(1), current: 0 });
    expect(statesOf(a)).toEqual({ al: 'not_required', bo: 'approved', cy: 'not_required' });
    expect(a.levels[0]).toMatchObject({ state: 'approved', decidedAt: at(1) });
    expect(a.levels[0]!.approvers[1]).toEqual({ user: 'bo', state: 'approved', delegatedTo: null, decidedBy: null, decidedAt: at(1), comment: 'fine' });
    expect(pendingApprovers(a)).toEqual([]);
    expect(isPendingFor(a, 'al')).toBe(false);
  });

  it('any: rejections wait until everyone has rejected', () => {
    let a = run(startApproval([level('Group', ['al', 'bo'])], T0), reject('al', 'too costly'));
    expect(a.outcome).toBe('pending');
    expect(pendingApprovers(a)).toEqual(['bo']);
    a = decide(a, reject('bo', 'agree'), at(2));
    expect(a).toMatchObject({ outcome: 'rejected', decidedAt: at(2) });
    expect(a.levels[0]!.state).toBe('rejected');
  });

  it('any: a rejection followed by an approval approves', () => {
    const a = run(startApproval([level('Group', ['al', 'bo'])], T0), reject('al'), approve('bo'));
    expect(a.outcome).toBe('approved');
    expect(statesOf(a)).toEqual({ al: 'rejected', bo: 'approved' });
  });

  it('all: needs every approver; the first rejection rejects', () => {
    const spec = [level('Owners', ['al', 'bo', 'cy'], { mode: { type: 'all' } })];
    const partial = run(startApproval(spec, T0), approve('al'), approve('bo'));
    expect(partial.outcome).toBe('pending');
    expect(pendingApprovers(partial)).toEqual(['cy']);
    expect(decide(partial, approve('cy'), at(3)).outcome).toBe('approved');

    const rejected = run(startApproval(spec, T0), approve('al'), reject('bo', 'not now'));
    expect(rejected.outcome).toBe('rejected');
    expect(statesOf(rejected)).toEqual({ al: 'approved', bo: 'rejected', cy: 'not_required' });
  });

  it('percentage rounds up: 50% of 3 needs 2', () => {
    const a = startApproval([level('CAB', ['al', 'bo', 'cy'], { mode: { type: 'percentage', percent: 50 } })], T0);
    expect(requiredApprovals(a.levels[0]!)).toBe(2);
    const one = run(a, approve('al'));
    expect(one.outcome).toBe('pending');
    const two = decide(one, approve('cy'), at(2));
    expect(two.outcome).toBe('approved');
    expect(statesOf(two)).toEqual({ al: 'approved', bo: 'not_required', cy: 'approved' });
  });

  it('percentage: 100% needs everyone, 1% needs one', () => {
    const full = startApproval([level('X', ['a', 'b', 'c'], { mode: { type: 'percentage', percent: 100 } })], T0);
    expect(requiredApprovals(full.levels[0]!)).toBe(3);
    const tiny = startApproval([level('X', ['a', 'b', 'c'], { mode: { type: 'percentage', percent: 1 } })], T0);
    expect(requiredApprovals(tiny.levels[0]!)).toBe(1);
  });

  it('percentage: rejected once the quorum is out of reach', () => {
    const a = startApproval([level('CAB', ['al', 'bo', 'cy', 'di'], { mode: { type: 'percentage', percent: 75 } })], T0);
    const oneNo = run(a, reject('al'));
    expect(oneNo.outcome).toBe('pending'); // 3 of 4 still possible
    const twoNo = decide(oneNo, reject('bo', 'risk'), at(2));
    expect(twoNo.outcome).toBe('rejected');
    expect(statesOf(twoNo)).toEqual({ al: 'rejected', bo: 'rejected', cy: 'not_required', di: 'not_required' });
  });

  it('at_least: approved at the count; rejected when the count can no longer be reached', () => {
    const spec = [level('CAB', ['al', 'bo', 'cy', 'di'], { mode: { type: 'at_least', count: 2 } })];
    const approved = run(startApproval(spec, T0), approve('al'), reject('bo'), approve('di'));
    expect(approved.outcome).toBe('approved');
    expect(statesOf(approved)).toEqual({ al: 'approved', bo: 'rejected', cy: 'not_required', di: 'approved' });

    const rejected = run(startApproval(spec, T0), reject('al'), reject('bo'));
    expect(rejected.outcome).toBe('pending'); // cy and di could still make 2
    expect(decide(rejected, reject('cy'), at(3)).outcome).toBe('rejected');
  });

  it("rejectWhen 'any_rejection' rejects at the first rejection even where the quorum is still reachable", () => {
    const a = startApproval([level('CAB', ['al', 'bo', 'cy'], { mode: { type: 'at_least', count: 1 }, rejectWhen: 'any_rejection' })], T0);
    expect(run(a, reject('al')).outcome).toBe('rejected');
  });

  it("rejectWhen 'any_rejection' on 'any': one rejection is a veto", () => {
    const a = startApproval([level('Security', ['al', 'bo'], { rejectWhen: 'any_rejection' })], T0);
    expect(run(a, reject('bo')).outcome).toBe('rejected');
  });

  it("rejectWhen 'quorum_impossible' on 'all' behaves like any_rejection: one rejection makes 'all' impossible", () => {
    const a = startApproval([level('Owners', ['al', 'bo'], { mode: { type: 'all' }, rejectWhen: 'quorum_impossible' })], T0);
    expect(run(a, reject('al')).outcome).toBe('rejected');
  });
});

describe('levels', () => {
  const specs = [level('Manager', ['mia']), level('CAB', ['al', 'bo'], { mode: { type: 'all' }, dueInMs: 48 * H, onDue: 'reject' }), level('Director', ['dee'])];

  it('run one after another; each starts when the previous one is approved', () => {
    let a = startApproval(specs, T0);
    expect(isPendingFor(a, 'al')).toBe(false);
    expect(approvalRejection(a, approve('al'))).toBe("al is not an approver of level 'Manager'");

    a = decide(a, approve('mia'), at(1));
    expect(a).toMatchObject({ current: 1, outcome: 'pending' });
    expect(a.levels[0]!.state).toBe('approved');
    expect(a.levels[1]).toMatchObject({ state: 'pending', startedAt: at(1), dueAt: at(49) });
    expect(nextApprovalDueAt(a)).toBe(at(49));
    expect(pendingApprovers(a)).toEqual(['al', 'bo']);
    expect(isPendingFor(a, 'mia')).toBe(false);

    a = run(a, approve('al'), approve('bo'));
    expect(a).toMatchObject({ current: 2, outcome: 'pending' });
    expect(a.levels[2]).toMatchObject({ state: 'pending', startedAt: at(2), dueAt: null });
    expect(nextApprovalDueAt(a)).toBeNull();

    a = decide(a, approve('dee'), at(5));
    expect(a).toMatchObject({ current: 2, outcome: 'approved', decidedAt: at(5) });
    expect(a.levels.map((l) => l.state)).toEqual(['approved', 'approved', 'approved']);
  });

  it('a rejected level rejects the whole approval; later levels never start', () => {
    const a = run(startApproval(specs, T0), approve('mia'), reject('bo', 'conflicts with freeze'));
    expect(a).toMatchObject({ current: 1, outcome: 'rejected', decidedAt: at(2) });
    expect(a.levels.map((l) => l.state)).toEqual(['approved', 'rejected', 'waiting']);
    expect(statesOf(a, 1)).toEqual({ al: 'not_required', bo: 'rejected' });
    expect(pendingApprovers(a)).toEqual([]);
    expect(nextApprovalDueAt(a)).toBeNull();
    expect(approvalRejection(a, approve('al'))).toBe('the approval is already rejected');
  });

  it('the same user may approve on several levels', () => {
    const a = run(startApproval([level('One', ['mia']), level('Two', ['mia'])], T0), approve('mia'), approve('mia'));
    expect(a.outcome).toBe('approved');
  });

  it('never mutates its input', () => {
    const a = startApproval(specs, T0);
    const copy = structuredClone(a);
    decide(a, approve('mia'), at(1));
    delegate(a, { from: 'mia', to: 'max', by: 'mia' }, at(1));
    applyDue(startApproval([level('L', ['a'], { dueInMs: H, onDue: 'escalate', escalateTo: ['b'] })], T0), at(2));
    expect(a).toEqual(copy);
  });

  it('stays JSON-serialisable', () => {
    const a = run(startApproval(specs, T0), approve('mia'));
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('decision rules', () => {
  const a = startApproval([level('CAB', ['al', 'bo'], { mode: { type: 'all' } })], T0);

  it('a rejection requires a comment; an approval does not', () => {
    expect(approvalRejection(a, { user: 'al', decision: 'reject' })).toBe('a rejection requires a comment');
    expect(approvalRejection(a, reject('al', '   '))).toBe('a rejection requires a comment');
    expect(approvalRejection(a, { user: 'al', decision: 'approve' })).toBeNull();
  });

  it('an approver decides once', () => {
    const once = decide(a, approve('al'), at(1));
    expect(approvalRejection(once, approve('al'))).toBe("al has already approved level 'CAB'");
    expect(approvalRejection(once, reject('al'))).toBe("al has already approved level 'CAB'");
  });

  it('refuses strangers and unknown decisions', () => {
    expect(approvalRejection(a, approve('eve'))).toBe("eve is not an approver of level 'CAB'");
    expect(approvalRejection(a, { user: 'al', decision: 'maybe' as never })).toMatch(/unknown decision 'maybe'/);
  });

  it('decide throws TransitionRejected with the reason', () => {
    expect(() => decide(a, approve('eve'), at(1))).toThrow(TransitionRejected);
    expect(() => decide(a, approve('eve'), at(1))).toThrow("eve is not an approver of level 'CAB'");
  });

  it('trims the comment and stores null for an empty one', () => {
    const b = run(a, approve('al', '  ok  '), approve('bo', ''));
    expect(b.levels[0]!.approvers.map((p) => p.comment)).toEqual(['ok', null]);
  });
});

describe('delegation', () => {
  const cab = () => startApproval([level('CAB', ['al', 'bo', 'cy'], { mode: { type: 'at_least', count: 2 } }), level('Director', ['dee'])], T0);

  it('the delegate decides in place of the approver; the approver can no longer decide', () => {
    let a = delegate(cab(), { from: 'al', to: 'zed', by: 'al' }, at(1));
    expect(a.levels[0]!.approvers[0]).toMatchObject({ user: 'al', delegatedTo: 'zed', state: 'pending' });
    expect(pendingApprovers(a)).toEqual(['zed', 'bo', 'cy']);
    expect(isPendingFor(a, 'zed')).toBe(true);
    expect(isPendingFor(a, 'al')).toBe(false);
    expect(approvalRejection(a, approve('al'))).toBe("al delegated their vote on level 'CAB' to zed, who decides in their place");

    a = decide(a, approve('zed', 'on behalf of al'), at(2));
    expect(a.levels[0]!.approvers[0]).toEqual({
      user: 'al',
      state: 'approved',
      delegatedTo: 'zed',
      decidedBy: 'zed',
      decidedAt: at(2),
      comment: 'on behalf of al',
    });
    expect(approvalRejection(a, approve('zed'))).toBe("al has already approved level 'CAB'");
    a = decide(a, approve('bo'), at(3));
    expect(a.current).toBe(1);
    expect(a.levels[0]!.approvers[1]!.decidedBy).toBeNull();
  });

  it('a delegate may reject, with a comment', () => {
    const a = delegate(cab(), { from: 'al', to: 'zed', by: 'al' }, at(1));
    expect(approvalRejection(a, { user: 'zed', decision: 'reject' })).toBe('a rejection requires a comment');
    const b = run(a, reject('zed', 'risky'), reject('bo', 'agree'));
    expect(b.outcome).toBe('rejected');
    expect(b.levels[0]!.approvers[0]).toMatchObject({ state: 'rejected', decidedBy: 'zed' });
  });

  it('an admin may delegate for an approver; others may not', () => {
    expect(delegationRejection(cab(), { from: 'al', to: 'zed', by: 'root', byAdmin: true })).toBeNull();
    expect(delegationRejection(cab(), { from: 'al', to: 'zed', by: 'bo' })).toBe("only al or an admin may delegate al's vote");
  });

  it('the approver may re-delegate, replacing the delegate', () => {
    let a = delegate(cab(), { from: 'al', to: 'zed', by: 'al' }, at(1));
    a = delegate(a, { from: 'al', to: 'yan', by: 'al' }, at(2));
    expect(pendingApprovers(a)).toEqual(['yan', 'bo', 'cy']);
    expect(approvalRejection(a, approve('zed'))).toBe("zed is not an approver of level 'CAB'");
  });

  it('goes one hop only: a delegate cannot pass the vote on', () => {
    const a = delegate(cab(), { from: 'al', to: 'zed', by: 'al' }, at(1));
    expect(delegationRejection(a, { from: 'zed', to: 'yan', by: 'zed' })).toBe(
      "zed holds al's vote as a delegate and cannot pass it on: delegation goes one hop (al or an admin may re-delegate)",
    );
  });

  it.each<[string, Parameters<typeof delegationRejection>[1], string]>([
    ['to an approver of the level', { from: 'al', to: 'bo', by: 'al' }, "bo is already an approver of level 'CAB'"],
    ['to oneself', { from: 'al', to: 'al', by: 'al' }, 'al cannot delegate to themselves'],
    ['to nobody', { from: 'al', to: ' ', by: 'al' }, 'name the user who should decide instead'],
    ['from a stranger', { from: 'eve', to: 'zed', by: 'eve' }, "eve is not an approver of level 'CAB'"],
    ['from an approver of a later level', { from: 'dee', to: 'zed', by: 'dee' }, "dee is not an approver of level 'CAB'"],
  ])('refuses delegating %s', (_, delegation, reason) => {
    expect(delegationRejection(cab(), delegation)).toBe(reason);
    expect(() => delegate(cab(), delegation, at(1))).toThrow(TransitionRejected);
  });

  it('refuses giving someone a second vote, repeating a delegation, or delegating a cast vote', () => {
    const a = delegate(cab(), { from: 'al', to: 'zed', by: 'al' }, at(1));
    expect(delegationRejection(a, { from: 'bo', to: 'zed', by: 'bo' })).toBe("zed already holds al's vote on level 'CAB'");
    expect(delegationRejection(a, { from: 'al', to: 'zed', by: 'al' })).toBe('al has already delegated to zed');
    const voted = decide(a, approve('bo'), at(2));
    expect(delegationRejection(voted, { from: 'bo', to: 'yan', by: 'bo' })).toBe("bo has already approved level 'CAB'");
  });

  it('refuses delegation once the approval is finished', () => {
    const a = startApproval([level('Manager', ['mia'])], T0);
    const done = decide(a, approve('mia'), at(1));
    expect(delegationRejection(done, { from: 'mia', to: 'max', by: 'mia' })).toBe('the approval is already approved');
  });

  it('applies to the current level only: the next level starts without it', () => {
    const a = startApproval([level('One', ['al']), level('Two', ['al'])], T0);
    const b = run(delegate(a, { from: 'al', to: 'zed', by: 'al' }, at(0)), approve('zed'));
    expect(b.current).toBe(1);
    expect(pendingApprovers(b)).toEqual(['al']);
  });

  it('delegates whose vote is no longer needed stop seeing the request', () => {
    const a = delegate(startApproval([level('Group', ['al', 'bo'])], T0), { from: 'al', to: 'zed', by: 'al' }, at(1));
    const b = decide(a, approve('bo'), at(2));
    expect(isPendingFor(b, 'zed')).toBe(false);
    expect(b.levels[0]!.approvers[0]).toMatchObject({ state: 'not_required', delegatedTo: 'zed' });
  });
});

describe('due time', () => {
  const due = (onDue: 'approve' | 'reject' | 'escalate', extra: Partial<ApprovalLevelSpec> = {}) =>
    startApproval([level('CAB', ['al', 'bo'], { mode: { type: 'all' }, dueInMs: 24 * H, onDue, ...extra }), level('Director', ['dee'], { dueInMs: 8 * H, onDue: 'reject' })], T0);

  it('does nothing before the due time and returns the same object (idempotent)', () => {
    const a = due('approve');
    expect(applyDue(a, at(23.99))).toBe(a);
    expect(applyDue(a, at(0))).toBe(a);
  });

  it('does nothing on a level without a due time, or on a finished approval', () => {
    const a = startApproval([level('Manager', ['mia'])], T0);
    expect(applyDue(a, at(1000))).toBe(a);
    const done = decide(due('reject'), reject('al'), at(1));
    expect(applyDue(done, at(1000))).toBe(done);
  });

  it("'approve' approves the level at its due time and starts the next one from then", () => {
    const a = applyDue(decide(due('approve'), approve('al'), at(1)), at(24));
    expect(a.levels[0]).toMatchObject({ state: 'approved', decidedAt: at(24) });
    expect(statesOf(a, 0)).toEqual({ al: 'approved', bo: 'not_required' });
    expect(a).toMatchObject({ current: 1, outcome: 'pending' });
    expect(a.levels[1]).toMatchObject({ state: 'pending', startedAt: at(24), dueAt: at(32) });
    expect(nextApprovalDueAt(a)).toBe(at(32));
    expect(applyDue(a, at(24))).toBe(a);
  });

  it("'reject' rejects the level and the approval", () => {
    const a = applyDue(due('reject'), at(30));
    expect(a).toMatchObject({ outcome: 'rejected', decidedAt: at(30), current: 0 });
    expect(statesOf(a)).toEqual({ al: 'not_required', bo: 'not_required' });
    expect(nextApprovalDueAt(a)).toBeNull();
    expect(applyDue(a, at(40))).toBe(a);
  });

  it("'escalate' adds the escalation users once and moves the due time by the level's duration", () => {
    const start = decide(due('escalate', { mode: { type: 'any' }, escalateTo: ['boss', 'al'] }), reject('al'), at(1));
    const escalated = applyDue(start, at(24));
    expect(escalated.levels[0]).toMatchObject({ state: 'pending', escalatedAt: at(24), dueAt: at(48) });
    // al is already on the level: not added twice
    expect(escalated.levels[0]!.approvers.map((p) => p.user)).toEqual(['al', 'bo', 'boss']);
    expect(pendingApprovers(escalated)).toEqual(['bo', 'boss']);
    expect(nextApprovalDueAt(escalated)).toBe(at(48));
    expect(applyDue(escalated, at(30))).toBe(escalated);

    const approved = decide(escalated, approve('boss', 'go'), at(30));
    expect(approved).toMatchObject({ current: 1 });
    expect(statesOf(approved, 0)).toEqual({ al: 'rejected', bo: 'not_required', boss: 'approved' });
  });

  it('escalates once: at the moved due time the level simply waits without a due time', () => {
    const escalated = applyDue(due('escalate', { mode: { type: 'any' }, escalateTo: ['boss'] }), at(24));
    const waited = applyDue(escalated, at(48));
    expect(waited.levels[0]).toMatchObject({ state: 'pending', dueAt: null, escalatedAt: at(24) });
    expect(waited.levels[0]!.approvers).toHaveLength(3);
    expect(nextApprovalDueAt(waited)).toBeNull();
    expect(applyDue(waited, at(100))).toBe(waited);
    expect(decide(waited, approve('bo'), at(60)).current).toBe(1);
  });

  it('moves the due time from the old due time, not from a late timer', () => {
    const escalated = applyDue(due('escalate', { escalateTo: ['boss'] }), at(30));
    expect(escalated.levels[0]).toMatchObject({ escalatedAt: at(30), dueAt: at(48) });
  });

  it('escalation users count towards the quorum', () => {
    const a = startApproval([level('CAB', ['al', 'bo', 'cy'], { mode: { type: 'at_least', count: 2 }, dueInMs: H, onDue: 'escalate', escalateTo: ['boss'] })], T0);
    const b = applyDue(run(a, approve('al')), at(1));
    expect(b.outcome).toBe('pending');
    expect(decide(b, approve('boss'), at(2)).outcome).toBe('approved');
  });

  it('escalation skips users who already hold a delegated vote', () => {
    const a = delegate(due('escalate', { escalateTo: ['zed', 'boss'] }), { from: 'al', to: 'zed', by: 'al' }, at(1));
    expect(applyDue(a, at(24)).levels[0]!.approvers.map((p) => p.user)).toEqual(['al', 'bo', 'boss']);
  });

  it('rejects an invalid instant', () => {
    expect(() => applyDue(due('approve'), 'soon')).toThrow(/not an ISO-8601 instant/);
    expect(() => decide(due('approve'), approve('al'), 'soon')).toThrow(/not an ISO-8601 instant/);
  });
});

describe('describeDecision', () => {
  it('says who decided what, the count and the comment', () => {
    const manager = startApproval([level('Manager', ['alice'])], T0);
    expect(describeDecision(manager, approve('alice', 'looks fine'))).toBe("alice approved level 'Manager' (1 of 1 needed): looks fine");

    const cab = startApproval([level('CAB', ['al', 'bo', 'cy'], { mode: { type: 'percentage', percent: 60 } })], T0);
    const one = decide(cab, approve('al'), at(1));
    expect(describeDecision(one, approve('bo'))).toBe("bo approved level 'CAB' (2 of 2 needed)");
    expect(describeDecision(one, reject('bo', 'too risky'))).toBe("bo rejected level 'CAB' (1 of 2 needed approvals so far): too risky");
  });

  it('names the approver a delegate stands for', () => {
    const a = delegate(startApproval([level('Manager', ['alice'])], T0), { from: 'alice', to: 'zed', by: 'alice' }, at(1));
    expect(describeDecision(a, approve('zed'))).toBe("zed (for alice) approved level 'Manager' (1 of 1 needed)");
  });

  it('copes with an approval without levels', () => {
    expect(describeDecision(startApproval([], T0), approve('x', 'ok'))).toBe('x approved: ok');
  });

  it('uses the current level', () => {
    const a = decide(startApproval([level('One', ['al']), level('Two', ['bo'])], T0), approve('al'), at(1));
    expect(currentLevel(a)!.name).toBe('Two');
    expect(describeDecision(a, approve('bo'))).toBe("bo approved level 'Two' (1 of 1 needed)");
  });
});
