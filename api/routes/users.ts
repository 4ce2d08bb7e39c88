import type { Connection } from 'mongoose';
import { z } from 'zod';
import { diffOf } from '../../domain/diff';
import { passwordProblems } from '../../domain/identity/password';
import { roleDefinitions } from '../../store/roles';
import { deleteSessionsOf } from '../../store/sessions';
import { publicUser, type UserDocument, userModel } from '../../store/users';
import type { AuditRecorder } from '../audit';
import { hashPassword } from '../auth/passwords';
import { ConflictError, InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { newUserBody, user, username, userPatchBody } from '../schemas/identity';

const params = z.strictObject({ username });

export function userRoutes({ db, audit }: { db: Connection; audit: AuditRecorder }): AnyRoute[] {
  const users = userModel(db);

  async function checkRoles(roles: string[] | undefined): Promise<void> {
    if (!roles?.length) return;
    const known = await roleDefinitions(db);
    const unknown = roles.filter((role) => !known[role]);
    if (unknown.length) throw new InputError(`unknown role(s): ${unknown.join(', ')}`, [{ field: 'body.roles', message: `unknown: ${unknown.join(', ')}` }]);
  }

  function checkPassword(password: string, name: string): void {
    const problems = passwordProblems(password, name);
    if (problems.length) throw new InputError(`the password ${problems.join('; ')}`, problems.map((message) => ({ field: 'body.password', message })));
  }

  const list = defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'All users, by user name',
    tag: 'identity',
    permission: 'identity.read',
    responses: { 200: { description: 'Users', schema: z.object({ items: z.array(user) }) } },
    async handler({ res }) {
      const found = await users.find().sort({ _id: 1 }).lean<UserDocument[]>().exec();
      res.json({ items: found.map(publicUser) });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/users/:username',
    operationId: 'getUser',
    summary: 'One user',
    tag: 'identity',
    permission: 'identity.read',
    params,
    responses: { 200: { description: 'The user', schema: user } },
    async handler({ params: p, res }) {
      const found = await users.findById(p.username).lean<UserDocument>().exec();
      if (!found) throw new NotFoundError(`no user ${p.username}`);
      res.json(publicUser(found));
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user (a local password is optional: SSO and LDAP users have none)',
    tag: 'identity',
    permission: 'identity.admin',
    body: newUserBody,
    responses: { 201: { description: 'The new user', schema: user } },
    async handler({ body, req, res }) {
      await checkRoles(body.roles);
      if (body.password !== undefined) checkPassword(body.password, body.username);
      const now = new Date().toISOString();
      const doc: UserDocument = {
        _id: body.username,
        displayName: body.displayName,
        email: body.email,
        manager: body.manager,
        active: true,
        roles: body.roles,
        passwordHash: body.password === undefined ? null : await hashPassword(body.password),
        source: 'local',
        failedLogins: 0,
        lockedUntil: null,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await users.create(doc);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) throw new ConflictError(`user ${body.username} already exists`);
        throw error;
      }
      const { password: _secret, ...shown } = body;
      await audit(req, { action: 'user.create', target: { type: 'user', id: body.username }, diff: diffOf({}, { ...shown, password: body.password && 'set' }), outcome: 'success' });
      res.status(201).location(`${req.baseUrl}/users/${body.username}`).json(publicUser(doc));
    },
  });

  const update = defineRoute({
    method: 'patch',
    path: '/users/:username',
    operationId: 'updateUser',
    summary: 'Change a user: profile, roles, active flag, password, or unlock',
    tag: 'identity',
    permission: 'identity.admin',
    params,
    body: userPatchBody,
    responses: { 200: { description: 'The user after the change', schema: user } },
    async handler({ params: p, body, req, res }) {
      const before = await users.findById(p.username).lean<UserDocument>().exec();
      if (!before) throw new NotFoundError(`no user ${p.username}`);
      await checkRoles(body.roles);
      if (body.password !== undefined) checkPassword(body.password, p.username);
      const { password, unlock, ...fields } = body;
      const changes: Partial<UserDocument> = { ...fields, updatedAt: new Date().toISOString() };
      if (password !== undefined) changes.passwordHash = await hashPassword(password);
      if (unlock) Object.assign(changes, { failedLogins: 0, lockedUntil: null });
      await users.updateOne({ _id: p.username }, { $set: changes }).exec();
      // A new password or a disabled account ends every open session of that user.
      if (password !== undefined || body.active === false) await deleteSessionsOf(db, p.username);
      const after = (await users.findById(p.username).lean<UserDocument>().exec())!;
      await audit(req, {
        action: 'user.update',
        target: { type: 'user', id: p.username },
        diff: diffOf(publicUser(before), { ...publicUser(after), ...(password !== undefined && { password: 'changed' }) }),
        outcome: 'success',
      });
      res.json(publicUser(after));
    },
  });

  return [list, get, create, update];
}
