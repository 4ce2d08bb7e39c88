import type { Connection } from 'mongoose';
import { z } from 'zod';
import { PERMISSIONS } from '../../domain/identity/permissions';
import { roleDefinitions, roleModel } from '../../store/roles';
import type { AuditRecorder } from '../audit';
import { ConflictError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { role, roleBody, roleName } from '../schemas/identity';

/** Roles bundle permissions. Built-in roles are fixed; admins compose custom ones. */
export function roleRoutes({ db, audit }: { db: Connection; audit: AuditRecorder }): AnyRoute[] {
  const list = defineRoute({
    method: 'get',
    path: '/roles',
    operationId: 'listRoles',
    summary: 'Built-in and custom roles, and every permission with its meaning',
    tag: 'identity',
    permission: 'identity.read',
    responses: { 200: { description: 'Roles and permissions', schema: z.object({ items: z.array(role), permissions: z.record(z.string(), z.string()) }) } },
    async handler({ res }) {
      const definitions = await roleDefinitions(db);
      const items = Object.entries(definitions)
        .map(([name, r]) => ({ name, description: r.description, permissions: [...r.permissions].sort(), builtIn: r.builtIn }))
        .sort((a, b) => a.name.localeCompare(b.name));
      res.json({ items, permissions: PERMISSIONS });
    },
  });

  const put = defineRoute({
    method: 'put',
    path: '/roles/:name',
    operationId: 'putRole',
    summary: 'Create or replace a custom role',
    tag: 'identity',
    permission: 'identity.admin',
    params: z.strictObject({ name: roleName }),
    body: roleBody,
    responses: { 200: { description: 'The role', schema: role } },
    async handler({ params, body, req, res }) {
      const definitions = await roleDefinitions(db);
      if (definitions[params.name]?.builtIn) throw new ConflictError(`${params.name} is a built-in role and cannot be changed; create a custom role instead`);
      const now = new Date().toISOString();
      const permissions = [...new Set(body.permissions)].sort();
      await roleModel(db).updateOne({ _id: params.name }, { $set: { description: body.description, permissions, updatedAt: now }, $setOnInsert: { createdAt: now } }, { upsert: true }).exec();
      const before = definitions[params.name];
      await audit(req, {
        action: 'role.put',
        target: { type: 'role', id: params.name },
        diff: { permissions: { before: before ? [...before.permissions].sort() : undefined, after: permissions } },
        outcome: 'success',
      });
      res.json({ name: params.name, description: body.description, permissions, builtIn: false });
    },
  });

  return [list, put];
}
