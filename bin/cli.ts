import { loadConfig } from '../runtime/config';
import { auditVerifyCommand } from './auditVerify';
import { CMDB_IMPORT_USAGE, cmdbImportCommand } from './cmdbImport';
import { readSecret } from './prompt';
import { userAddCommand } from './userAdd';
import { userModel } from '../store/users';
import { createLogger } from '../runtime/log';
import { defaultUiDir, type Stack, startStack } from '../runtime/stack';

const USAGE = `usage: flowdesk <command>

  start    the whole platform on this machine (embedded Temporal and FerretDB unless
           TEMPORAL_ADDRESS / MONGODB_URI are set), worker and API with the UI
  api      only the API and UI (production: one of many replicas)
  worker   only the Temporal workers: the core worker and the zone workers of FLOWDESK_ZONES
           (production: one of many replicas)
  worker --zone <zone> [--zone <zone>]...
           only automation zone workers, placed inside that network zone near its hosts
  user add <name> [--admin] [--role <role>]...
           create a local user (the first admin: --admin); password from stdin or a prompt
  audit verify
           check the audit trail's hash chain and name the first broken entry
  ${CMDB_IMPORT_USAGE}
           import CIs and relations (any size) into the CMDB; see docs/cmdb.md
`;

const say = (message: string) => process.stdout.write(`[flowdesk] ${message}\n`);

async function main(command: string | undefined, args: string[]): Promise<void> {
  if (command === 'user' && args[0] === 'add') {
    process.exitCode = await userAddCommand(loadConfig(), args.slice(1), () => readSecret('password'));
    return;
  }
  if (command === 'audit' && args[0] === 'verify') {
    process.exitCode = await auditVerifyCommand(loadConfig());
    return;
  }
  if (command === 'cmdb' && args[0] === 'import') {
    process.exitCode = await cmdbImportCommand(loadConfig(), args.slice(1));
    return;
  }
  const config = loadConfig();
  const zoneArgs = command === 'worker' ? zonesOf(args) : [];
  if (zoneArgs === null) {
    process.stderr.write(`flowdesk worker: --zone needs a zone name (lower-case letters, digits and dashes)\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const roles = {
    start: { api: true, worker: true, zones: config.FLOWDESK_ZONES },
    api: { api: true, worker: false, zones: [] },
    worker: zoneArgs.length ? { api: false, worker: false, zones: zoneArgs } : { api: false, worker: true, zones: config.FLOWDESK_ZONES },
  };
  if (!command || !(command in roles)) {
    process.stderr.write(USAGE);
    process.exitCode = command ? 2 : 0;
    return;
  }
  const logger = createLogger(config.FLOWDESK_LOG_LEVEL);
  say(`data directory: ${config.dataDir}`);
  const stack = await startStack(config, { say, logger, uiDir: defaultUiDir(), ...roles[command as keyof typeof roles] });
  banner(stack);
  if (!(await userModel(stack.db).exists({}))) {
    say('no users yet: create the first administrator in another terminal with\n\n    npm run flowdesk -- user add <name> --admin\n\nthen sign in at the UI.');
  }
  await untilSignal();
  say('shutting down: API stops accepting, worker drains, services stop…');
  await stack.stop();
  say('stopped');
}

/** `--zone a --zone b` (or `--zone=a`); null when one is malformed. */
function zonesOf(args: string[]): string[] | null {
  const zones: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg.startsWith('--zone=') ? arg.slice('--zone='.length) : arg === '--zone' ? args[++i] : undefined;
    if (value === undefined || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) return null;
    zones.push(value);
  }
  return zones;
}

function banner(stack: Stack): void {
  const lines = [
    stack.apiUrl && `FlowDesk UI and API   ${stack.apiUrl}   (OpenAPI: ${stack.apiUrl}/api/v1/openapi.json)`,
    `Temporal              ${stack.temporalAddress}${stack.temporalUiUrl ? `   (web UI: ${stack.temporalUiUrl})` : ''}`,
    `Document store        ${stack.storeUri}`,
    stack.zones.length > 0 && `Automation zones      ${stack.zones.map((zone) => `${zone} (flowdesk-automation-${zone})`).join(', ')}`,
    'Press Ctrl-C to stop.',
  ];
  say(`ready\n\n${lines.filter(Boolean).map((l) => `  ${l}`).join('\n')}\n`);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      say(`received ${signal}`);
      // A second Ctrl-C is ignored on purpose: stopping half-way would leave servers behind.
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal).on('SIGINT', () => say('still shutting down…'));
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

main(process.argv[2], process.argv.slice(3)).catch((error: Error) => {
  process.stderr.write(`[flowdesk] ${error.message}\n`);
  process.exit(1);
});
