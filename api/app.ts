import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import express, { type Express, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import { type Catalog, loadCatalog } from '../runtime/catalog';
import type { Logger } from '../runtime/log';
import type { MasterKeySource } from '../runtime/masterKey';
import { type AlertIntake, alertIntake } from './alertCenter';
import { alertFeed } from './alertFeed';
import { type AuditRecorder, auditRecorder } from './audit';
import { authenticate } from './auth/authenticate';
import { cors } from './cors';
import type { SsoSettings } from './auth/sso';
import { notFoundRoute, problemHandler } from './errors';
import { healthRouter } from './health';
import { createMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { requestContext } from './request';
import { requestLog } from './requestLog';
import { type AnyRoute, mount } from './route';
import { Problem } from './problem';
import { alertGroupViewRoutes } from './routes/alertGroupsView';
import { alertIntakeRoutes } from './routes/alertIntake';
import { alertRoutes } from './routes/alerts';
import { alertMaintenanceRoutes } from './routes/alertMaintenance';
import { alertMaintenanceCalendarRoutes } from './routes/alertMaintenanceCalendar';
import { alertNoiseRoutes } from './routes/alertNoise';
import { alertRunRoutes } from './routes/alertRuns';
import { alertSilenceRoutes } from './routes/alertSilences';
import { alertStreamRoutes } from './routes/alertStream';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { catalogRoutes } from './routes/catalog';
import { automationDryRunRoutes } from './routes/automationDryRun';
import { credentialRoutes } from './routes/credentials';
import { automationLibraryRoutes } from './routes/automationLibrary';
import { automationRunRoutes } from './routes/automationRuns';
import { automationScheduleRoutes } from './routes/automationSchedules';
import { automationSafetyRoutes } from './routes/automationSafety';
import { libraryShipping } from './automationLibraryShipping';
import { cmdbCiRoutes } from './routes/cmdbCis';
import { cmdbImportRoutes } from './routes/cmdbImport';
import { cmdbDiscoveryRoutes } from './routes/cmdbDiscovery';
import { cmdbModelRoutes } from './routes/cmdbModel';
import { cmdbQueryRoutes } from './routes/cmdbQueries';
import { type CmdbAccess, cmdbAccess } from './cmdb';
import { groupRoutes } from './routes/groups';
import { metricRoutes } from './routes/metrics';
import { notificationRoutes } from './routes/notifications';
import { roleRoutes } from './routes/roles';
import { ssoRoutes } from './routes/sso';
import { ticketCreateRoutes } from './routes/ticketCreate';
import { ticketRoutes } from './routes/tickets';
import { ticketStreamRoutes } from './routes/ticketStream';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';

export interface AppDeps {
  db: Connection;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  /** Built UI to serve at /, when present. */
  uiDir?: string;
  /** LDAP and OIDC sign-in; none when absent. */
  sso?: SsoSettings;
  /** Origins allowed to call the API from a browser (CORS); none when absent. */
  corsOrigins?: string[];
  /** The catalog (items, SLA policies, rules, settings); loaded from <project>/catalog when absent. */
  catalog?: Catalog;
  /** The key that seals stored credentials (runtime/masterKey.ts). */
  masterKey: MasterKeySource;
  /** The alert center's intake, when the caller shares it (with the SNMP trap receiver, the suppression clock); made here when absent. */
  alertIntake?: AlertIntake;
}

export const API_VERSION = '0.1.0';
const BODY_LIMIT = '256kb';
/** An Alertmanager group of 10,000 alerts; below the 16 MB a stored document may hold. */
const INTAKE_BODY_LIMIT = '8mb';

function alertCenterRoutes(deps: AppDeps & { audit: AuditRecorder; catalog: Catalog; cmdb: CmdbAccess }): AnyRoute[] {
  const intake = deps.alertIntake ?? alertIntake(deps);
  const { suppressionChanged, tellGroups } = intake;
  // The console's routes under /alerts/<word> come before /alerts/:id.
  const consoleRoutes = [
    ...alertStreamRoutes({ feed: alertFeed(deps.db, { logger: deps.logger }) }),
    ...alertGroupViewRoutes(deps),
    ...alertNoiseRoutes(deps),
    ...alertMaintenanceCalendarRoutes(deps),
    ...alertRunRoutes(deps),
  ];
  return [
    ...alertIntakeRoutes({ db: deps.db, ...intake }),
    ...alertSilenceRoutes({ ...deps, suppressionChanged }),
    ...alertMaintenanceRoutes({ ...deps, suppressionChanged }),
    ...consoleRoutes,
    ...alertRoutes({ ...deps, suppressionAt: intake.sources.suppressionAt, tellGroups }),
    ...metricRoutes(deps),
  ];
}

function cmdbRoutes(deps: AppDeps & { audit: AuditRecorder; catalog: Catalog; cmdb: CmdbAccess }): AnyRoute[] {
  const { cmdb } = deps;
  return [...cmdbModelRoutes({ ...deps, cmdb }), ...cmdbCiRoutes({ ...deps, cmdb }), ...cmdbQueryRoutes({ cmdb }), ...cmdbImportRoutes({ ...deps, cmdb }), ...cmdbDiscoveryRoutes({ ...deps, cmdb })];
}

export function apiRoutes(deps: AppDeps & { audit: AuditRecorder; sso: SsoSettings; catalog: Catalog }): AnyRoute[] {
  const libraryReady = libraryShipping(deps.db, deps.catalog);
  // The CMDB routes and alert enrichment share one model loader and graph.
  const cmdb = cmdbAccess(deps.db, deps.catalog.cmdb);
  return [
    ...authRoutes(deps),
    ...ssoRoutes(deps),
    ...tokenRoutes(deps),
    ...userRoutes(deps),
    ...groupRoutes(deps),
    ...roleRoutes(deps),
    ...auditRoutes(deps),
    ...catalogRoutes({ items: deps.catalog.items }),
    ...ticketCreateRoutes(deps),
    ...ticketRoutes(deps),
    ...ticketStreamRoutes(deps),
    ...notificationRoutes(deps),
    ...cmdbRoutes({ ...deps, cmdb }),
    ...credentialRoutes(deps),
    ...automationLibraryRoutes({ ...deps, libraryReady }),
    ...automationDryRunRoutes({ ...deps, libraryReady, runPolicy: deps.catalog.runPolicy, shippedRules: deps.catalog.highRisk }),
    ...automationRunRoutes({ ...deps, libraryReady, runPolicy: deps.catalog.runPolicy }),
    ...automationScheduleRoutes({ ...deps, libraryReady, runPolicy: deps.catalog.runPolicy }),
    ...automationSafetyRoutes({ ...deps, shippedRules: deps.catalog.highRisk }),
    ...alertCenterRoutes({ ...deps, cmdb }),
  ];
}

/** Sign-in attempts per client address and minute, on top of the per-account lockout. */
const LOGIN_RATE = { windowMs: 60_000, limit: 20 };

export function createApp(deps: AppDeps): Express {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"] } } }));
  app.use(requestContext, requestLog(deps.logger), metrics.observe);
  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const audit = auditRecorder(deps.db);
  const routes = apiRoutes({ ...deps, audit, sso: deps.sso ?? { groupMap: {}, defaultRoles: [] }, catalog: deps.catalog ?? loadCatalog() });
  const document = openApiDocument(routes, API_VERSION);
  const api = Router();
  api.use(cors(deps.corsOrigins ?? []));
  api.use('/alerts/intake', express.json({ limit: INTAKE_BODY_LIMIT, strict: false }));
  api.use(express.json({ limit: BODY_LIMIT, strict: false }));
  api.use(
    '/auth/login',
    rateLimit({
      ...LOGIN_RATE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new Problem(429, 'Too many requests', 'too many sign-in attempts from this address; wait a minute and try again')),
    }),
  );
  api.use(authenticate(deps.db));
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  mount(api, routes, (req, permission) =>
    audit(req, { action: 'access.denied', target: { type: 'route', id: `${req.method} ${req.route?.path ?? req.path}` }, outcome: 'denied', detail: `needs ${permission}` }),
  );
  api.use(notFoundRoute);
  app.use('/api/v1', api);

  if (deps.uiDir && fs.existsSync(path.join(deps.uiDir, 'index.html'))) {
    app.use(express.static(deps.uiDir, { index: false, maxAge: '1h' }));
    // Client-side routes (e.g. /incidents/INC0000001) all load the SPA.
    app.get(/^\/(?!api\/).*/, (_req, res) => {
      res.sendFile(path.join(deps.uiDir!, 'index.html'));
    });
  }
  app.use(notFoundRoute);
  app.use(problemHandler(deps.logger));
  return app;
}
