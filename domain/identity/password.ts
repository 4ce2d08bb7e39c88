/** The local password policy (SSO and LDAP users have no local password). */
export const PASSWORD_POLICY = { minLength: 12, maxLength: 256 } as const;

/** Returns what is wrong with `password` for `username`, or an empty list when it is acceptable. */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_POLICY.minLength) problems.push(`must be at least ${PASSWORD_POLICY.minLength} characters`);
  if (password.length > PASSWORD_POLICY.maxLength) problems.push(`must be at most ${PASSWORD_POLICY.maxLength} characters`);
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('must mix at least three of: lower case, upper case, digits, symbols');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the user name');
  return problems;
}
