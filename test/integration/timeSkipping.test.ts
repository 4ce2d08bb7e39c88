import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { longTimer, wakeUp } from '../fixtures/workflows/longTimer';
import { createTimeSkippingEnv } from '../setup/timeSkipping';

const HOUR = 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // before anything creates the default, chatty one
  // First run fetches the test server's jars from Maven Central.
  env = await createTimeSkippingEnv();
}, 600_000);
afterAll(async () => {
  await env?.teardown();
});

async function newWorker(taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/workflows/longTimer'),
  });
}

describe('time-skipping test environment', () => {
  it('skips an 8-hour workflow timer', async () => {
    const taskQueue = `time-skipping-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    const result = await worker.runUntil(
      env.client.workflow.execute(longTimer, { taskQueue, workflowId: `long-timer-${randomUUID()}`, args: [8] }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.finishedAt - result.startedAt).toBeGreaterThanOrEqual(8 * HOUR);
  });

  it('advances time by exactly what env.sleep asks for', async () => {
    const taskQueue = `time-skipping-${randomUUID()}`;
    const worker = await newWorker(taskQueue);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(longTimer, { taskQueue, workflowId: `long-timer-${randomUUID()}`, args: [8] });
      const before = await env.currentTimeMs();
      await env.sleep('3 hours');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3 * HOUR);
      await handle.signal(wakeUp);
      return handle.result();
    });
    expect(result.timedOut).toBe(false);
    const elapsed = result.finishedAt - result.startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(3 * HOUR);
    expect(elapsed).toBeLessThan(8 * HOUR);
  });
});
