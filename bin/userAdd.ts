import { parseArgs } from 'node:util';
import { hashPassword } from '../api/auth/passwords';
import { passwordProblems } from '../domain/identity/password';
import { BUILT_IN_ROLES } from '../domain/identity/permissions';
import { appendAudit } from '../store/audit';
import { insertUser } from '../store/users';
import type { Config } from '../runtime/config';
import { withStore } from '../runtime/storeAccess';

const USAGE = `usage: flowdesk user add <username> [--admin] [--role <role>]... [--name "Display Name"] [--email <address>]
The password is read from standard input (one line), or asked for on a terminal.`;

/** `flowdesk user add`: creates a local user; with --admin, the first administrator. */
export async function userAddCommand(config: Config, argv: string[], readPassword: () => Promise<string>): Promise<number> {
  const say = (message: string) => process.stderr.write(`[flowdesk] ${message}\n`);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { admin: { type: 'boolean' }, role: { type: 'string', multiple: true }, name: { type: 'string' }, email: { type: 'string' } },
  });
  const username = positionals[0]?.toLowerCase();
  if (!username || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(username)) {
    say(USAGE);
    return 2;
  }
  const roles = [...new Set([...(values.admin ? ['admin'] : []), ...(values.role ?? [])])];
  const unknown = roles.filter((role) => !Object.hasOwn(BUILT_IN_ROLES, role));
  if (unknown.length) {
    say(`unknown role(s): ${unknown.join(', ')}; built-in roles are ${Object.keys(BUILT_IN_ROLES).join(', ')} (custom roles are assigned in the UI)`);
    return 2;
  }
  const password = await readPassword();
  const problems = passwordProblems(password, username);
  if (problems.length) {
    say(`the password ${problems.join('; ')}`);
    return 2;
  }
  try {
    await withStore(config, say, async (db) => {
      await insertUser(db, { username, displayName: values.name ?? username, email: values.email ?? null, roles, passwordHash: await hashPassword(password) });
      await appendAudit(db, { actor: { type: 'system', id: 'cli' }, action: 'user.create', target: { type: 'user', id: username }, diff: { roles: { after: roles } }, outcome: 'success' });
    });
  } catch (error) {
    if ((error as { code?: number }).code === 11000) {
      say(`user ${username} already exists; change it in the UI (Admin → Users)`);
      return 1;
    }
    throw error;
  }
  say(`created user ${username} with role(s) ${roles.join(', ') || '(none)'}; sign in at the FlowDesk UI`);
  return 0;
}
