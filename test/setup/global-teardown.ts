import fs from 'node:fs';
import type { EmbeddedService } from '../../runtime/service';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __flowdesk?: { services: EmbeddedService[]; dataDir: string } }).__flowdesk;
  if (!state) return;
  await Promise.all(state.services.map((service) => service.stop()));
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
