import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { pingStore } from '../store/connection';

const CHECK_TIMEOUT_MS = 3000;

export interface HealthDeps {
  db: Connection;
  temporal: Client;
  namespace: string;
}

/** /healthz: the process answers. /readyz: Temporal and the store answer too (503 otherwise). */
export function healthRouter({ db, temporal, namespace }: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = {
      temporal: await check(() => temporal.workflowService.describeNamespace({ namespace })),
      store: await check(() => pingStore(db)),
    };
    const ready = Object.values(checks).every((c) => c.status === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}

async function check(probe: () => Promise<unknown>): Promise<{ status: 'ok' } | { status: 'failing'; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    await Promise.race([probe(), timeout]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'failing', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
