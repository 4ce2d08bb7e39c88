import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, createCredential, type Credential, CREDENTIAL_KINDS, type CredentialKind, deleteCredential, listCredentials, type Problem, toProblem } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, ProblemView, Spinner, SuccessNotice, Tag } from '../components';
import { formatRelative } from '../format';
import { useCan } from '../session';

interface FieldSpec {
  name: string;
  label: string;
  secret?: boolean;
  multiline?: boolean;
  options?: string[];
  optional?: boolean;
}

/** What each kind asks for; secret fields are write-only. */
const FIELDS: Record<CredentialKind, FieldSpec[]> = {
  ssh_key: [{ name: 'username', label: 'User name' }, { name: 'privateKey', label: 'Private key (PEM or OpenSSH)', secret: true, multiline: true }, { name: 'passphrase', label: 'Passphrase', secret: true, optional: true }],
  ssh_password: [{ name: 'username', label: 'User name' }, { name: 'password', label: 'Password', secret: true }],
  snmp_community: [{ name: 'community', label: 'Community', secret: true }],
  snmp_v3: [
    { name: 'username', label: 'User name' },
    { name: 'securityLevel', label: 'Security level', options: ['authPriv', 'authNoPriv', 'noAuthNoPriv'] },
    { name: 'authProtocol', label: 'Authentication protocol', options: ['sha', 'sha256', 'sha512', 'md5', 'sha224', 'sha384'] },
    { name: 'authKey', label: 'Authentication pass phrase', secret: true, optional: true },
    { name: 'privProtocol', label: 'Privacy protocol', options: ['aes', 'aes256b', 'aes256r', 'des'] },
    { name: 'privKey', label: 'Privacy pass phrase', secret: true, optional: true },
  ],
  http_bearer: [{ name: 'token', label: 'Token', secret: true }],
  http_basic: [{ name: 'username', label: 'User name' }, { name: 'password', label: 'Password', secret: true }],
  openstack_password: [
    { name: 'authUrl', label: 'Keystone URL (OS_AUTH_URL)' },
    { name: 'username', label: 'User name' },
    { name: 'userDomain', label: 'User domain name', optional: true },
    { name: 'projectName', label: 'Project name' },
    { name: 'projectDomain', label: 'Project domain name', optional: true },
    { name: 'region', label: 'Region', optional: true },
    { name: 'interface', label: 'Interface', options: ['public', 'internal', 'admin'] },
    { name: 'password', label: 'Password', secret: true },
  ],
};

const KIND_LABELS: Record<CredentialKind, string> = { ssh_key: 'SSH key', ssh_password: 'SSH password', snmp_community: 'SNMP v2c community', snmp_v3: 'SNMP v3 user', http_bearer: 'HTTP bearer token', http_basic: 'HTTP basic', openstack_password: 'OpenStack password' };

/**
 * The credentials discovery and automation log in with (docs/credentials.md). Secrets are
 * sealed by the server and never shown again; jobs refer to a credential by its id.
 */
export function CredentialsPage() {
  const manage = useCan()('credential.manage');
  const [items, setItems] = useState<Credential[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [kind, setKind] = useState<CredentialKind>('ssh_key');
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<Credential | null>(null);

  const load = useCallback(async () => {
    try {
      setItems(await listCredentials());
    } catch (e) {
      setError(toProblem(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Credentials · FlowDesk';
    void load();
  }, [load]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setCreated(null);
    const body: Record<string, string> = { kind };
    for (const [name, value] of Object.entries(values)) if (value !== '' && (name === 'name' || name === 'description' || FIELDS[kind].some((f) => f.name === name))) body[name] = value;
    for (const f of FIELDS[kind]) if (f.options && !body[f.name]) body[f.name] = f.options[0]!;
    try {
      setCreated(await createCredential(body));
      setValues({});
      await load();
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  async function remove(c: Credential) {
    if (!window.confirm(`Delete credential ${c.name}? Jobs that use it will fail until they are given another.`)) return;
    try {
      await deleteCredential(c.id);
      await load();
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  const errors = problem ? new ApiError(problem).fieldErrors() : {};
  const input = (f: FieldSpec) => {
    const common = { id: `cred-${f.name}`, value: values[f.name] ?? '', 'aria-describedby': `cred-${f.name}-error`, onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [f.name]: e.target.value })) };
    if (f.options) return <select {...common}>{f.options.map((o) => <option key={o} value={o}>{o}</option>)}</select>;
    if (f.multiline) return <textarea {...common} className="mono" rows={5} spellCheck={false} autoComplete="off" />;
    return <input {...common} type={f.secret ? 'password' : 'text'} autoComplete={f.secret ? 'new-password' : 'off'} />;
  };

  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!items) return <div className="page"><Spinner /></div>;
  return (
    <div className="page page-wide">
      <PageHeader eyebrow="Administration" title="Credentials" subtitle="What discovery and automation log in with. Secrets are sealed on the server and never shown again; jobs refer to a credential by its id." />
      <section className="card" aria-labelledby="credentials-title">
        <h2 className="card-title" id="credentials-title">Stored credentials</h2>
        {items.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="credentials-table">
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Id (for jobs)</th><th scope="col">Kind</th><th scope="col">User</th><th scope="col">Changed</th>{manage && <th scope="col"><span className="sr-only">Actions</span></th>}</tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-testid="credential-row">
                    <td><strong>{c.name}</strong>{c.description && <div className="muted small">{c.description}</div>}</td>
                    <td className="mono small">{c.id}</td>
                    <td><Tag>{KIND_LABELS[c.kind]}</Tag></td>
                    <td className="small">{c.username ?? '—'}{c.securityLevel && <span className="muted"> · {c.securityLevel}</span>}</td>
                    <td className="small">{formatRelative(c.updatedAt)} by {c.createdBy}</td>
                    {manage && <td><button type="button" className="btn btn-sm btn-ghost" onClick={() => void remove(c)} aria-label={`Delete ${c.name}`}>Delete</button></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {manage && (
        <form className="card" onSubmit={(e) => void create(e)} aria-labelledby="new-credential-title" data-testid="new-credential">
          <h2 className="card-title" id="new-credential-title">New credential</h2>
          {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
          {created && <SuccessNotice>Credential {created.name} stored as <code>{created.id}</code>; its secret is sealed and will not be shown again.</SuccessNotice>}
          <div className="ci-editor-fields">
            <div className="field">
              <label htmlFor="cred-kind">Kind</label>
              <select id="cred-kind" value={kind} onChange={(e) => setKind(e.target.value as CredentialKind)}>
                {CREDENTIAL_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
              </select>
            </div>
            {[{ name: 'name', label: 'Name (lower case, e.g. dc-a-ssh)' }, { name: 'description', label: 'Description', optional: true }, ...FIELDS[kind]].map((f) => (
              <div className="field" key={f.name}>
                <label htmlFor={`cred-${f.name}`}>{f.label}{'optional' in f && f.optional ? <span className="muted"> (optional)</span> : null}</label>
                {input(f)}
                <FieldMessage id={`cred-${f.name}-error`} message={errors[f.name]} />
              </div>
            ))}
          </div>
          <div className="form-actions"><button type="submit" className="btn btn-primary">Store credential</button></div>
        </form>
      )}
    </div>
  );
}
