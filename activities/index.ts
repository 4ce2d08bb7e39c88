import type { Connection } from 'mongoose';
import { createTicketActivities } from './tickets';

export interface ActivityDeps {
  db: Connection;
}

/** All activities the core worker registers, built from real clients. */
export function createActivities({ db }: ActivityDeps) {
  return { ...createTicketActivities(db) };
}
