/**
 * Every permission FlowDesk checks. A route declares exactly one (api/route.ts), roles
 * bundle them, and API tokens carry a subset of their owner's.
 */
export const PERMISSIONS = {
  'ticket.read': "See tickets of one's own groups, and those one opened, watches or must approve",
  'ticket.read_all': 'See every ticket, whatever its group',
  'ticket.create': 'Open incidents and order from the service catalog',
  'ticket.act': 'Work the tickets one can see: assign, progress, resolve, close, add work notes',
  'problem.manage': 'Open problems and publish known errors',
  'approval.decide': 'Approve or reject what one is asked to approve, and delegate that',
  'profile.tokens': 'Create and revoke one\u2019s own API tokens',
  'identity.read': 'See users, groups and roles',
  'identity.admin': 'Create and change users, groups and roles',
  'audit.read': 'Search, export and verify the audit trail',
  'cmdb.read': 'See configuration items, relations, topology, impact and the CMDB model',
  'cmdb.write': 'Create, change, relate, import and retire configuration items',
  'cmdb.admin': 'Change the CMDB model (classes, relation types) and delete CIs for good',
  'credential.read': 'See credential names and kinds, never secrets',
  'credential.manage': 'Create, change and delete credentials',
  'automation.read': 'See scripts, runbooks, their versions, runs and their logs',
  'automation.author': 'Write script and runbook drafts and publish them as versions',
  'automation.run': 'Start runs of published runbooks (each runbook also names the roles that may run it), cancel them and decide for hosts whose outcome is unknown',
  'automation.approve': 'Approve runs that wait for a second person (approval steps, high-risk commands)',
  'automation.schedule': 'Create, pause and delete schedules of runbooks',
  'automation.rules': 'Change the high-risk command rules every SSH step is checked against',
  'alert.read': 'See alerts, their history and the silences',
  'alert.act': 'Acknowledge alerts and withdraw an acknowledgement',
  'alert.silence': 'Create and expire silences',
  'alert.intake': 'Deliver alerts from a monitoring tool to the intake endpoints (give it to the API token of an integration)',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

interface RoleDefinition {
  description: string;
  permissions: readonly Permission[];
}

// Anyone can be asked to approve (a requester's manager is usually just another employee).
const SELF: Permission[] = ['profile.tokens', 'approval.decide'];
const AGENT: Permission[] = [...SELF, 'ticket.read', 'ticket.create', 'ticket.act', 'identity.read', 'cmdb.read', 'alert.read', 'alert.act'];
const ALERT_OPERATOR: Permission[] = ['alert.read', 'alert.act', 'alert.silence'];

/**
 * Built-in roles. Later capabilities (changes, approvals, processes, automation, CMDB)
 * add their permissions to these roles as they land; custom roles are data.
 */
export const BUILT_IN_ROLES = {
  requester: { description: 'Orders from the catalog and follows their own requests and incidents', permissions: [...SELF, 'ticket.read', 'ticket.create'] },
  agent: { description: 'Works the tickets of their assignment groups', permissions: AGENT },
  group_manager: { description: 'Leads assignment groups and sees all their tickets', permissions: [...AGENT, 'ticket.read_all', 'problem.manage', 'alert.silence'] },
  change_manager: { description: 'Runs change management and the CAB', permissions: [...AGENT, 'ticket.read_all', 'problem.manage'] },
  approver: { description: 'Approves requests and changes assigned to them', permissions: [...SELF, 'ticket.read'] },
  process_designer: { description: 'Designs and publishes BPMN processes', permissions: [...SELF, 'identity.read', 'cmdb.read'] },
  automation_operator: { description: 'Runs published runbooks on permitted targets', permissions: [...SELF, 'ticket.read', 'cmdb.read', 'credential.read', 'automation.read', 'automation.run', ...ALERT_OPERATOR] },
  automation_admin: {
    description: 'Authors, publishes and schedules scripts and runbooks',
    permissions: [...SELF, 'ticket.read', 'cmdb.read', 'credential.read', 'credential.manage', 'automation.read', 'automation.author', 'automation.run', 'automation.approve', 'automation.schedule', ...ALERT_OPERATOR],
  },
  alert_sender: { description: 'A monitoring tool: delivers alerts to the intake endpoints through its API token, and nothing else', permissions: ['profile.tokens', 'alert.intake'] },
  cmdb_editor: { description: 'Maintains configuration items and relations', permissions: [...SELF, 'identity.read', 'cmdb.read', 'cmdb.write', 'credential.read'] },
  cmdb_admin: { description: 'Owns the CMDB model, and may delete CIs for good', permissions: [...SELF, 'identity.read', 'cmdb.read', 'cmdb.write', 'cmdb.admin', 'credential.read'] },
  auditor: { description: 'Reads everything, changes nothing; searches and verifies the audit trail', permissions: ['profile.tokens', 'ticket.read', 'ticket.read_all', 'identity.read', 'audit.read', 'cmdb.read', 'credential.read', 'automation.read', 'alert.read'] },
  admin: { description: 'Administers users, groups, roles and settings', permissions: ALL_PERMISSIONS },
} as const satisfies Record<string, RoleDefinition>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** The union of the permissions of `roles`, looked up in `definitions` (unknown roles grant nothing). */
export function permissionsOf(roles: readonly string[], definitions: Readonly<Record<string, { permissions: readonly string[] }>>): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of definitions[role]?.permissions ?? []) if (isPermission(permission)) granted.add(permission);
  return granted;
}
