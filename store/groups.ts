import { type Connection, Schema } from 'mongoose';

/** An assignment group: members work its queue; the manager leads it. */
export interface GroupDocument {
  _id: string;
  displayName: string;
  manager: string | null;
  members: string[];
  createdAt: string;
  updatedAt: string;
}

const schema = new Schema<GroupDocument>(
  {
    _id: String,
    displayName: { type: String, required: true },
    manager: { type: String, default: null },
    members: { type: [String], default: [] },
    createdAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
  },
  { collection: 'groups', versionKey: false },
);
schema.index({ members: 1 });

export function groupModel(db: Connection) {
  return db.models.Group ?? db.model<GroupDocument>('Group', schema);
}

export async function groupsOf(db: Connection, username: string): Promise<string[]> {
  const groups = await groupModel(db).find({ members: username }, { _id: 1 }).lean<{ _id: string }[]>().exec();
  return groups.map((g) => g._id).sort();
}
