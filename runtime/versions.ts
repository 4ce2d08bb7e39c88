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
}

export const TEMPORAL_CLI: GoTool = {
  name: 'temporal',
  module: 'github.com/temporalio/cli',
  version: 'v1.5.1',
  pkg: './cmd/temporal',
};

export const FERRETDB: GoTool = {
  name: 'ferretdb',
  module: 'github.com/FerretDB/FerretDB',
  version: 'v1.24.2',
  pkg: './cmd/ferretdb',
  // FerretDB refuses to start when built as the main module without this file.
  versionFile: 'build/version/version.txt',
};
