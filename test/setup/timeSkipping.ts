import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTimeSkippingServer } from '../../runtime/testServer';

/**
 * A time-skipping Temporal environment backed by the Java SDK's test server from the
 * per-user cache (fetched from Maven Central on first use), or TEMPORAL_TEST_SERVER_PATH.
 * Independent of the integration project's shared dev server. Call `teardown()` when done.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await resolveTimeSkippingServer((msg) => process.stderr.write(`[time-skipping] ${msg}\n`));
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}
