/**
 * Assignment rules route a ticket to a group (and optionally a person) from what the ticket
 * says about itself. Rules are tried in file order and the first whose conditions all hold
 * wins, so specific rules go first and a catch-all goes last. Rules never overwrite a
 * manual assignment: an agent's decision beats any automation. See docs/assignment.md.
 */

import type { Priority } from './priority';
import type { AssignmentSource } from './ticket/common';
import type { TicketKind } from './ticketNumber';

/** Every given condition must hold; an absent one matches anything. */
export interface AssignmentConditions {
  kinds?: TicketKind[];
  /** Compared case-insensitively: categories are free text typed by people. */
  categories?: string[];
  /** Compared case-insensitively, like categories. */
  services?: string[];
  /** Holds when any affected CI is owned by one of these groups (group names, exact). */
  ciOwnerGroups?: string[];
  priorities?: Priority[];
  /** Holds when the title contains any of these as whole words (case-insensitive); an entry may be a phrase. */
  titleWords?: string[];
}

/** Who gets the ticket: a group, and optionally a named member or the least loaded one. */
export interface AssignmentTarget {
  group: string;
  assignee?: 'least_loaded' | string;
}

export interface AssignmentRule {
  name: string;
  when: AssignmentConditions;
  assign: AssignmentTarget;
}

/** What a rule needs to know about a ticket. */
export interface RoutableTicket {
  kind: TicketKind;
  category: string | null;
  service: string | null;
  priority: Priority;
  title: string;
  /** The owner groups of the ticket's affected CIs (looked up in the CMDB by the caller). */
  affectedCiOwnerGroups: string[];
  assignmentSource: AssignmentSource | null;
  assignmentGroup: string | null;
  assignee: string | null;
}

/** The open-ticket count of each member of a group. */
export type GroupLoad = (group: string) => Array<{ user: string; open: number }>;

export interface ChosenAssignment {
  group: string;
  assignee: string | null;
  /** The rule that chose it, recorded on the assignment for explanation. */
  rule: string;
}

const fold = (text: string): string => text.trim().toLowerCase();

/**
 * Splits text into lower-case words: runs of letters and digits in any script. Hyphens,
 * slashes and punctuation separate words, so "VPN-gateway" holds "vpn" and "gateway".
 */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Whether `phrase`'s words occur consecutively in `words` (a one-word phrase: that word). */
function containsPhrase(words: readonly string[], phrase: string): boolean {
  const wanted = wordsOf(phrase);
  if (wanted.length === 0) return false;
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((w, j) => words[i + j] === w)) return true;
  }
  return false;
}

/** An absent list holds for anything; a given one must contain the value. */
function listHolds<T>(list: readonly T[] | undefined, holds: (item: T) => boolean): boolean {
  return list === undefined || list.some(holds);
}

const sameText = (value: string | null) => (candidate: string) => value !== null && fold(candidate) === fold(value);

export function ruleMatches(rule: AssignmentRule, ticket: RoutableTicket): boolean {
  const { kinds, categories, services, ciOwnerGroups, priorities, titleWords } = rule.when;
  const titleWordList = wordsOf(ticket.title);
  return (
    listHolds(kinds, (k) => k === ticket.kind) &&
    listHolds(categories, sameText(ticket.category)) &&
    listHolds(services, sameText(ticket.service)) &&
    listHolds(ciOwnerGroups, (g) => ticket.affectedCiOwnerGroups.includes(g)) &&
    listHolds(priorities, (p) => p === ticket.priority) &&
    listHolds(titleWords, (w) => containsPhrase(titleWordList, w))
  );
}

/**
 * The member with the fewest open tickets; ties go to the alphabetically first user name
 * (compared by code unit, not locale) so every replay of a workflow picks the same person.
 */
export function leastLoaded(members: ReadonlyArray<{ user: string; open: number }>): string | null {
  let best: { user: string; open: number } | null = null;
  for (const m of members) {
    if (best === null || m.open < best.open || (m.open === best.open && m.user < best.user)) best = m;
  }
  return best?.user ?? null;
}

function assigneeFor(target: AssignmentTarget, load: GroupLoad | undefined): string | null {
  if (target.assignee === undefined) return null;
  if (target.assignee !== 'least_loaded') return target.assignee;
  // Without load information the group's queue is the honest answer.
  return load ? leastLoaded(load(target.group)) : null;
}

/**
 * The assignment the first matching rule makes, or null when no rule matches or the
 * current assignment was made by hand (rules never overwrite a manual assignment).
 */
export function chooseAssignment(ticket: RoutableTicket, rules: readonly AssignmentRule[], load?: GroupLoad): ChosenAssignment | null {
  if (ticket.assignmentSource === 'manual') return null;
  const rule = rules.find((r) => ruleMatches(r, ticket));
  if (!rule) return null;
  return { group: rule.assign.group, assignee: assigneeFor(rule.assign, load), rule: rule.name };
}
