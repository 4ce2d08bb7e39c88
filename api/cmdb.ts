import type { Connection } from 'mongoose';
import type { CiRecord, CmdbGraph } from '../domain/cmdb/graph';
import type { CmdbModel, ResolvedModel } from '../domain/cmdb/model';
import { CmdbError } from '../store/cmdb/errors';
import { loadModel, seedModel } from '../store/cmdb/modelStore';
import { cmdbGraph } from '../store/cmdb/replica';
import type { Actor } from '../store/cmdb/history';
import type { WriteContext } from '../store/cmdb/writes';
import type { Principal } from './auth/principal';
import { ConflictError, InputError, NotFoundError, PreconditionFailedError } from './problem';

/** What the CMDB routes share: the model (seeded from the catalog once per process) and the graph. */
export interface CmdbAccess {
  model(): Promise<ResolvedModel>;
  graph(): Promise<CmdbGraph>;
}

export function cmdbAccess(db: Connection, catalogModel: CmdbModel): CmdbAccess {
  let seeded: Promise<void> | undefined;
  const ready = () => (seeded ??= seedModel(db, catalogModel).catch((error: unknown) => {
    seeded = undefined;
    throw error;
  }));
  return {
    async model() {
      await ready();
      return loadModel(db);
    },
    async graph() {
      await ready();
      return cmdbGraph(db);
    },
  };
}

/** Runs a CMDB store call, turning its errors into problem+json answers. */
export async function cmdbCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof CmdbError)) throw error;
    const errors = error.errors.map((e) => ({ field: `body.${e.field}`, message: e.message }));
    switch (error.kind) {
      case 'invalid':
        throw new InputError(error.message, errors);
      case 'not_found':
        throw new NotFoundError(error.message);
      case 'conflict':
        throw new ConflictError(error.message);
      case 'stale':
        throw new PreconditionFailedError(error.message);
    }
  }
}

export const userContext = (principal: Principal): WriteContext => ({ actor: { type: 'user', id: principal.username } satisfies Actor, source: 'manual' });

/** A CI as the API shows it, with its effective zone. */
export function presentCi(ci: CiRecord, graph: CmdbGraph) {
  return { id: ci.id, class: ci.class, attributes: ci.attributes, tags: ci.tags, sources: ci.sources, zone: graph.zoneOf(ci), version: ci.version, createdAt: ci.createdAt, updatedAt: ci.updatedAt };
}

export function presentRelation(r: { id: string; type: string; source: string; target: string; version: number; createdAt: string; updatedAt: string }) {
  return { id: r.id, type: r.type, source: r.source, target: r.target, version: r.version, createdAt: r.createdAt, updatedAt: r.updatedAt };
}
