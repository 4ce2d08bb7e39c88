import { type Connection, Schema } from 'mongoose';
import { BUILT_IN_ROLES } from '../domain/identity/permissions';

/** A custom role composed by an admin. Built-in roles live in code and are not stored. */
export interface RoleDocument {
  _id: string;
  description: string;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}

const schema = new Schema<RoleDocument>(
  { _id: String, description: { type: String, default: '' }, permissions: { type: [String], default: [] }, createdAt: String, updatedAt: String },
  { collection: 'roles', versionKey: false },
);

export function roleModel(db: Connection) {
  return db.models.Role ?? db.model<RoleDocument>('Role', schema);
}

export type RoleDefinitions = Record<string, { description: string; permissions: readonly string[]; builtIn: boolean }>;

/** Built-in and custom roles together; a custom role may not shadow a built-in one. */
export async function roleDefinitions(db: Connection): Promise<RoleDefinitions> {
  const custom = await roleModel(db).find().lean<RoleDocument[]>().exec();
  const definitions: RoleDefinitions = {};
  for (const role of custom) definitions[role._id] = { description: role.description, permissions: role.permissions, builtIn: false };
  for (const [name, role] of Object.entries(BUILT_IN_ROLES)) definitions[name] = { ...role, builtIn: true };
  return definitions;
}
