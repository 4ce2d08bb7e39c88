/**
 * The one place that pins the embedded servers. Each builds from its Go module with
 * the Go toolchain when no binary is on PATH or in the per-user cache.
 */
export interface GoTool {
  name: string;
  module: string;
  version: string;
  /** Package to build, relative to the module root. */
  pkg: string;
  /** A version file the module's own release build generates, written before `go build`. */
  versionFile?: string;
  /** Files the module's release build generates and its Go code embeds, written (path → text) before `go build`. */
  generatedFiles?: Record<string, string>;
  /** Source fixes applied before `go build`; they name the cached binary, so a new fix rebuilds it. */
  patches?: SourcePatch[];
}

/** A one-line upstream fix: `find` must occur exactly once in `file`. */
export interface SourcePatch {
  id: string;
  file: string;
  find: string;
  replace: string;
}

export const TEMPORAL_CLI: GoTool = {
  name: 'temporal',
  module: 'github.com/temporalio/cli',
  version: 'v1.5.1',
  pkg: './cmd/temporal',
};

/** Prometheus Alertmanager, only for the alert center's tests and bench (a real peer, not a dependency). */
export const ALERTMANAGER: GoTool = {
  name: 'alertmanager',
  module: 'github.com/prometheus/alertmanager',
  version: 'v0.35.0',
  pkg: './cmd/alertmanager',
  // Its web UI is built by npm in a release and embedded (`//go:embed app/dist`); the tests use only the API.
  generatedFiles: { 'ui/app/dist/index.html': '<!doctype html><title>Alertmanager</title><p>UI not built (FlowDesk test build)</p>\n' },
};

export const FERRETDB: GoTool = {
  name: 'ferretdb',
  module: 'github.com/FerretDB/FerretDB',
  version: 'v1.24.2',
  pkg: './cmd/ferretdb',
  // FerretDB refuses to start when built as the main module without this file.
  versionFile: 'build/version/version.txt',
  patches: [
    {
      // The SQLite backend's `_id` index is on `_ferretdb_sjson->"_id"`, but `{_id: <string>}`
      // lookups compare `_ferretdb_sjson->'$._id'`, which SQLite does not match to that index:
      // every find, update and delete by _id scanned the table (3 s per findOne at 100,000
      // tickets). Same JSON path, index-matching spelling. See docs/adr/003-queue-listing.md.
      id: 'sqlite-id-index',
      file: 'internal/backends/sqlite/metadata/metadata.go',
      find: `IDColumn = DefaultColumn + "->'$._id'"`,
      replace: `IDColumn = DefaultColumn + "->'_id'"`,
    },
  ],
};
