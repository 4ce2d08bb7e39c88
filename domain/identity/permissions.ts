/**
 * Every permission FlowDesk checks. A route declares exactly one (api/route.ts), roles
 * bundle them, and API tokens carry a subset of their owner's.
 */
export const PERMISSIONS = {
  'incident.read': "See incidents of one's own groups, and those one opened",
  'incident.read_all': 'See every incident, whatever its group',
  'incident.create': 'Open incidents',
  'incident.act': "Assign, start, resolve and close incidents one can see",
  'profile.tokens': 'Create and revoke one\u2019s own API tokens',
  'identity.read': 'See users, groups and roles',
  'identity.admin': 'Create and change users, groups and roles',
  'audit.read': 'Search, export and verify the audit trail',
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

const SELF: Permission[] = ['profile.tokens'];
const AGENT: Permission[] = [...SELF, 'incident.read', 'incident.create', 'incident.act', 'identity.read'];

/**
 * Built-in roles. Later capabilities (changes, approvals, processes, automation, CMDB)
 * add their permissions to these roles as they land; custom roles are data.
 */
export const BUILT_IN_ROLES = {
  requester: { description: 'Orders from the catalog and follows their own requests and incidents', permissions: [...SELF, 'incident.read', 'incident.create'] },
  agent: { description: 'Works the tickets of their assignment groups', permissions: AGENT },
  group_manager: { description: 'Leads assignment groups and sees all their tickets', permissions: [...AGENT, 'incident.read_all'] },
  change_manager: { description: 'Runs change management and the CAB', permissions: [...AGENT, 'incident.read_all'] },
  approver: { description: 'Approves requests and changes assigned to them', permissions: [...SELF, 'incident.read'] },
  process_designer: { description: 'Designs and publishes BPMN processes', permissions: [...SELF, 'identity.read'] },
  automation_operator: { description: 'Runs published runbooks on permitted targets', permissions: [...SELF, 'incident.read'] },
  automation_admin: { description: 'Authors, publishes and schedules scripts and runbooks', permissions: [...SELF, 'incident.read'] },
  cmdb_editor: { description: 'Maintains configuration items and relations', permissions: [...SELF, 'identity.read'] },
  auditor: { description: 'Reads everything, changes nothing; searches and verifies the audit trail', permissions: [...SELF, 'incident.read', 'incident.read_all', 'identity.read', 'audit.read'] },
  admin: { description: 'Administers users, groups, roles and settings', permissions: ALL_PERMISSIONS },
} as const satisfies Record<string, RoleDefinition>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** The union of the permissions of `roles`, looked up in `definitions` (unknown roles grant nothing). */
export function permissionsOf(roles: readonly string[], definitions: Readonly<Record<string, { permissions: readonly string[] }>>): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of definitions[role]?.permissions ?? []) if (isPermission(permission)) granted.add(permission);
  return granted;
}
