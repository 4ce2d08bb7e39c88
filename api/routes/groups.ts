import type { Connection } from 'mongoose';
import { z } from 'zod';
import { diffOf } from '../../domain/diff';
import { type GroupDocument, groupModel } from '../../store/groups';
import { userModel } from '../../store/users';
import type { AuditRecorder } from '../audit';
import { ConflictError, InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { group, groupBody, groupName, groupPatchBody } from '../schemas/identity';

const params = z.strictObject({ name: groupName });
const shown = ({ _id, ...rest }: GroupDocument) => ({ name: _id, ...rest });

/** Assignment groups: their members work the group's queue. */
export function groupRoutes({ db, audit }: { db: Connection; audit: AuditRecorder }): AnyRoute[] {
  const groups = groupModel(db);

  async function checkUsers(names: (string | null | undefined)[], field: string): Promise<void> {
    const wanted = [...new Set(names.filter((n): n is string => !!n))];
    const found = await userModel(db).find({ _id: { $in: wanted } }, { _id: 1 }).lean<{ _id: string }[]>().exec();
    const missing = wanted.filter((name) => !found.some((u) => u._id === name));
    if (missing.length) throw new InputError(`unknown user(s): ${missing.join(', ')}`, [{ field, message: `unknown: ${missing.join(', ')}` }]);
  }

  const list = defineRoute({
    method: 'get',
    path: '/groups',
    operationId: 'listGroups',
    summary: 'All assignment groups',
    tag: 'identity',
    permission: 'identity.read',
    responses: { 200: { description: 'Groups', schema: z.object({ items: z.array(group) }) } },
    async handler({ res }) {
      res.json({ items: (await groups.find().sort({ _id: 1 }).lean<GroupDocument[]>().exec()).map(shown) });
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/groups',
    operationId: 'createGroup',
    summary: 'Create an assignment group',
    tag: 'identity',
    permission: 'identity.admin',
    body: groupBody,
    responses: { 201: { description: 'The new group', schema: group } },
    async handler({ body, req, res }) {
      await checkUsers([...body.members, body.manager], 'body.members');
      const now = new Date().toISOString();
      const doc: GroupDocument = { _id: body.name, displayName: body.displayName, manager: body.manager, members: [...new Set(body.members)].sort(), createdAt: now, updatedAt: now };
      try {
        await groups.create(doc);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) throw new ConflictError(`group ${body.name} already exists`);
        throw error;
      }
      await audit(req, { action: 'group.create', target: { type: 'group', id: body.name }, diff: diffOf({}, shown(doc)), outcome: 'success' });
      res.status(201).location(`${req.baseUrl}/groups/${body.name}`).json(shown(doc));
    },
  });

  const update = defineRoute({
    method: 'patch',
    path: '/groups/:name',
    operationId: 'updateGroup',
    summary: 'Change a group: name shown, manager, members',
    tag: 'identity',
    permission: 'identity.admin',
    params,
    body: groupPatchBody,
    responses: { 200: { description: 'The group after the change', schema: group } },
    async handler({ params: p, body, req, res }) {
      const before = await groups.findById(p.name).lean<GroupDocument>().exec();
      if (!before) throw new NotFoundError(`no group ${p.name}`);
      await checkUsers([...(body.members ?? []), body.manager], 'body.members');
      const changes = { ...body, ...(body.members && { members: [...new Set(body.members)].sort() }), updatedAt: new Date().toISOString() };
      await groups.updateOne({ _id: p.name }, { $set: changes }).exec();
      const after = (await groups.findById(p.name).lean<GroupDocument>().exec())!;
      await audit(req, { action: 'group.update', target: { type: 'group', id: p.name }, diff: diffOf(shown(before), shown(after)), outcome: 'success' });
      res.json(shown(after));
    },
  });

  return [list, create, update];
}
