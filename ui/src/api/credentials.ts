import { request } from './http';

/** The credential vault: names, kinds and public fields; secrets go in and never come back. */

export const CREDENTIAL_KINDS = ['ssh_key', 'ssh_password', 'snmp_community', 'snmp_v3', 'http_bearer', 'http_basic', 'openstack_password'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface Credential {
  id: string;
  name: string;
  kind: CredentialKind;
  description: string;
  username?: string;
  securityLevel?: string;
  authProtocol?: string;
  privProtocol?: string;
  authUrl?: string;
  userDomain?: string;
  projectName?: string;
  projectDomain?: string;
  region?: string;
  interface?: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

export const listCredentials = (signal?: AbortSignal) => request<{ items: Credential[] }>('GET', '/credentials', { signal }).then((r) => r.items);
export const createCredential = (body: Record<string, string>) => request<Credential>('POST', '/credentials', { body });
export const deleteCredential = (id: string) => request<void>('DELETE', `/credentials/${encodeURIComponent(id)}`);
