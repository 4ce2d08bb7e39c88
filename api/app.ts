import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import express, { type Express, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from '../runtime/log';
import { notFoundRoute, problemHandler } from './errors';
import { healthRouter } from './health';
import { createMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { requestContext } from './request';
import { type AnyRoute, mount } from './route';
import { incidentRoutes } from './routes/incidents';

export interface AppDeps {
  db: Connection;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  /** Built UI to serve at /, when present. */
  uiDir?: string;
}

export const API_VERSION = '0.1.0';
const BODY_LIMIT = '256kb';

export function apiRoutes(deps: AppDeps): AnyRoute[] {
  return [...incidentRoutes(deps)];
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext, metrics.observe);
  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const routes = apiRoutes(deps);
  const document = openApiDocument(routes, API_VERSION);
  const api = Router();
  api.use(express.json({ limit: BODY_LIMIT, strict: false }));
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  mount(api, routes);
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
