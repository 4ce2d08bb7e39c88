import { DEFAULT_CLAIM_MAPPING, mapClaims, type ClaimMapping } from '../../domain/identity/claims';

const mapping: ClaimMapping = { ...DEFAULT_CLAIM_MAPPING, groupMap: { 'it-ops': 'network-ops', 'cab-members': 'cab' } };
const carol = {
  sub: 'u-123',
  preferred_username: 'carol',
  email: 'carol@example.test',
  name: 'Carol Changer',
  groups: ['it-ops', 'cab-members'],
};

describe('mapClaims', () => {
  it('maps the standard claims and the mapped groups, sorted', () => {
    expect(mapClaims(carol, mapping)).toEqual({
      subject: 'u-123',
      username: 'carol',
      email: 'carol@example.test',
      displayName: 'Carol Changer',
      groups: ['cab', 'network-ops'],
    });
  });

  it.each([
    ['a space separated string', 'it-ops cab-members'],
    ['a comma separated string', 'it-ops,cab-members'],
    ['a mixed string with blanks', ' it-ops , cab-members  '],
  ])('reads groups from %s', (_label, groups) => {
    expect(mapClaims({ ...carol, groups }, mapping).groups).toEqual(['cab', 'network-ops']);
  });

  it('drops unmapped groups and de-duplicates groups mapped to the same name', () => {
    const many = { ...mapping, groupMap: { ...mapping.groupMap, 'net-admins': 'network-ops' } };
    expect(mapClaims({ ...carol, groups: ['net-admins', 'it-ops', 'everyone', 42, null] }, many).groups).toEqual(['network-ops']);
  });

  it('does not map inherited object keys such as toString or __proto__', () => {
    expect(mapClaims({ ...carol, groups: ['toString', '__proto__', 'constructor'] }, mapping).groups).toEqual([]);
  });

  it('gives no groups when the claim is missing or of another type', () => {
    expect(mapClaims({ sub: 'u', preferred_username: 'carol' }, mapping).groups).toEqual([]);
    expect(mapClaims({ ...carol, groups: { 'it-ops': true } }, mapping).groups).toEqual([]);
  });

  it('uses configured claim names', () => {
    const custom: ClaimMapping = { usernameClaim: 'upn', emailClaim: 'mail', displayNameClaim: 'displayName', groupsClaim: 'roles', groupMap: { Admins: 'admins' } };
    expect(mapClaims({ sub: 's', upn: 'carol@corp', mail: 'c@corp', displayName: 'Carol', roles: ['Admins'] }, custom)).toEqual({
      subject: 's',
      username: 'carol@corp',
      email: 'c@corp',
      displayName: 'Carol',
      groups: ['admins'],
    });
  });

  it('falls back to the username for the display name, and to null for the email', () => {
    expect(mapClaims({ sub: 'u', preferred_username: 'carol', email: '' }, mapping)).toMatchObject({ displayName: 'carol', email: null });
  });

  it('throws a clear error when the subject is missing', () => {
    expect(() => mapClaims({ preferred_username: 'carol' }, mapping)).toThrow("the identity provider's claims have no subject ('sub')");
    expect(() => mapClaims({ sub: '  ', preferred_username: 'carol' }, mapping)).toThrow(/no subject/);
  });

  it('throws a clear error naming the claim when the username is missing', () => {
    expect(() => mapClaims({ sub: 'u' }, mapping)).toThrow("claim 'preferred_username' is missing or empty");
    expect(() => mapClaims({ sub: 'u', preferred_username: ['carol'] }, mapping)).toThrow(/no username/);
  });
});
