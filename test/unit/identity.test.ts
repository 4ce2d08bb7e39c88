import { diffOf } from '../../domain/diff';
import { mapGroups } from '../../domain/identity/groupMap';
import { AFTER_SUCCESS, afterFailure, isLocked, LOCKOUT } from '../../domain/identity/lockout';
import { passwordProblems } from '../../domain/identity/password';
import { ALL_PERMISSIONS, BUILT_IN_ROLES, permissionsOf } from '../../domain/identity/permissions';

describe('roles and permissions', () => {
  it('ships the built-in roles the service desk needs, admin holding every permission', () => {
    expect(Object.keys(BUILT_IN_ROLES).sort()).toEqual(
      ['admin', 'agent', 'alert_sender', 'approver', 'auditor', 'automation_admin', 'automation_operator', 'change_manager', 'cmdb_admin', 'cmdb_editor', 'group_manager', 'process_designer', 'requester'].sort(),
    );
    expect([...permissionsOf(['admin'], BUILT_IN_ROLES)].sort()).toEqual([...ALL_PERMISSIONS].sort());
  });

  it('unions the permissions of several roles and ignores unknown roles and permissions', () => {
    const custom = { ...BUILT_IN_ROLES, odd: { permissions: ['audit.read', 'made.up'] } };
    expect([...permissionsOf(['requester', 'odd', 'ghost'], custom)].sort()).toEqual(['approval.decide', 'audit.read', 'profile.tokens', 'ticket.create', 'ticket.read']);
  });

  it('keeps the auditor read-only', () => {
    const auditor = [...permissionsOf(['auditor'], BUILT_IN_ROLES)];
    expect(auditor.filter((p) => /create|act|admin/.test(p))).toEqual([]);
  });
});

describe('password policy', () => {
  it.each([
    ['short', 'must be at least 12 characters'],
    ['alllowercaseletters', 'must mix at least three of: lower case, upper case, digits, symbols'],
    ['Pat-the-Admin-1', 'must not contain the user name'],
  ])('refuses %p: %s', (password, problem) => {
    expect(passwordProblems(password, 'pat')).toContain(problem);
  });

  it('accepts a long mixed password', () => {
    expect(passwordProblems('Correct-Horse-9', 'pat')).toEqual([]);
  });
});

describe('failed sign-in lockout', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  it(`locks after ${LOCKOUT.maxFailures} failures in a row, for ${LOCKOUT.lockMs / 60_000} minutes`, () => {
    let attempts = AFTER_SUCCESS;
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) attempts = afterFailure(attempts, now);
    expect(isLocked(attempts, now)).toBe(false);
    attempts = afterFailure(attempts, now);
    expect(isLocked(attempts, now)).toBe(true);
    expect(isLocked(attempts, new Date(now.getTime() + LOCKOUT.lockMs + 1))).toBe(false);
  });
});

describe('group mapping and diffs', () => {
  it('maps only known external groups, unique and sorted', () => {
    expect(mapGroups(['b-ext', 'a-ext', 'unknown', 'b-ext', 'toString'], { 'a-ext': 'zeta', 'b-ext': 'alpha' })).toEqual(['alpha', 'zeta']);
  });

  it('reports changed fields only, skipping the update clock', () => {
    expect(diffOf({ a: 1, b: [1], updatedAt: 'x' }, { a: 1, b: [2], c: 'new', updatedAt: 'y' })).toEqual({ b: { before: [1], after: [2] }, c: { before: undefined, after: 'new' } });
  });
});
