import fs from 'node:fs';
import type { EmbeddedService } from '../../runtime/service';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __flowdesk?: { services: EmbeddedService[]; dataDir: string } }).__flowdesk;
  if (!state) return;
  await Promise.all(state.services.map((service) => service.stop()));
  // FLOWDESK_TEST_KEEP=1 keeps the servers' logs and data for a post-mortem.
  if (process.env.FLOWDESK_TEST_KEEP === '1') process.stderr.write(`[test teardown] kept ${state.dataDir}\n`);
  else fs.rmSync(state.dataDir, { recursive: true, force: true });
}
