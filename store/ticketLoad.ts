import type { Connection } from 'mongoose';
import { DONE_STATES } from '../domain/ticket/ticket';
import { groupModel } from './groups';
import { ticketModel } from './tickets';

/** Each member of `group` with the number of open tickets assigned to them, for load-aware assignment. */
export async function openLoadOf(db: Connection, group: string): Promise<Array<{ user: string; open: number }>> {
  const found = await groupModel(db).findById(group).lean<{ members: string[] }>().exec();
  const members = found?.members ?? [];
  const tickets = ticketModel(db);
  return Promise.all(
    members.map(async (user) => ({ user, open: await tickets.countDocuments({ assignee: user, state: { $nin: [...DONE_STATES] } }).exec() })),
  );
}
