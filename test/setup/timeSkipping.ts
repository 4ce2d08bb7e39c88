import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTimeSkippingServer } from '../../runtime/testServer';

/** The SDK gives the test server's JVM 5 s to listen; a loaded two-core machine can need more. */
const ATTEMPTS = 3;

/**
 * A time-skipping Temporal environment backed by the Java SDK's test server from the
 * per-user cache (fetched from Maven Central on first use), or TEMPORAL_TEST_SERVER_PATH.
 * Independent of the integration project's shared dev server. Call `teardown()` when done.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await resolveTimeSkippingServer((msg) => process.stderr.write(`[time-skipping] ${msg}\n`));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    } catch (error) {
      if (attempt >= ATTEMPTS || !/did not start within/.test((error as Error).message)) throw error;
      process.stderr.write(`[time-skipping] the test server was slow to start (attempt ${attempt} of ${ATTEMPTS}), trying again\n`);
    }
  }
}
