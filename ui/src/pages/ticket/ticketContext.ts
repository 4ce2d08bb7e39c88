import { createContext, useContext } from 'react';
import type { Me, Ticket } from '../../api';

/** The forms an action panel can open (one at a time). */
export type FormName = 'assign' | 'hold' | 'resolve' | 'cancel' | 'reopen' | 'set_parent' | 'link_problem' | 'update' | 'decide' | 'delegate' | 'analyse';

/** What every part of the ticket page shares: the ticket as last read, who looks at it, and how to change it. */
export interface TicketScope {
  ticket: Ticket;
  me: Me;
  agent: boolean;
  /** After an action succeeded: show `next`, close the form, say `message`. */
  done: (next: Ticket, message: string) => void;
  /** Reads the ticket again (after a 412, or on request). */
  reload: () => Promise<void>;
  form: FormName | null;
  setForm: (form: FormName | null) => void;
}

export const TicketContext = createContext<TicketScope | null>(null);

export function useTicketScope(): TicketScope {
  const scope = useContext(TicketContext);
  if (!scope) throw new Error('useTicketScope outside a ticket page');
  return scope;
}
