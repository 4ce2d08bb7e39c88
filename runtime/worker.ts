import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Connection as StoreConnection } from 'mongoose';
import { createActivities } from '../activities';

export interface CoreWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: StoreConnection;
  /** A pre-built workflow bundle (tests share one); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The core worker: every workflow type plus the store and notification activities. */
export function createCoreWorker({ connection, namespace, taskQueue, db, workflowBundle }: CoreWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities({ db }),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    shutdownGraceTime: '10 seconds',
  });
}
