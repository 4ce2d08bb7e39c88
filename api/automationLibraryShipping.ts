import type { Connection } from 'mongoose';
import type { Catalog } from '../runtime/catalog';
import { appendAudit } from '../store/audit';
import { syncShippedLibrary } from '../store/automation/library';

/**
 * Publishes what changed in catalog/runbooks once per process, before the first library
 * or run request needs it (retried after a failure), and audits each version it publishes.
 */
export function libraryShipping(db: Connection, catalog: Catalog): () => Promise<void> {
  let shipped: Promise<void> | undefined;
  const ship = async () => {
    const { published } = await syncShippedLibrary(db, catalog.library);
    for (const label of published) {
      const [, kind, id, version] = /^(\w+)\/(.+)@(\d+)$/.exec(label)!;
      await appendAudit(db, { actor: { type: 'system', id: 'catalog' }, action: `automation.${kind}.publish`, target: { type: kind!, id: id! }, diff: { version: { after: Number(version) } }, outcome: 'success', detail: 'from catalog/runbooks' });
    }
  };
  return () =>
    (shipped ??= ship().catch((error: unknown) => {
      shipped = undefined;
      throw error;
    }));
}
