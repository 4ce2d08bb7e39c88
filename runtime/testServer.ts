import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, toolCacheDir } from './tools';

/**
 * The Temporal time-skipping test server ships with the Java SDK as
 * `io.temporal:temporal-test-server`. The SDK's own download of its native build needs
 * GitHub, so we fetch the jars from Maven Central with `mvn` and run them with `java`.
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';

const NAME = 'temporal-test-server';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
// Pinned so the fetch does not depend on whichever plugin version Maven would pick.
const COPY_DEPENDENCIES = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';
const INSTALL_HINT =
  "install Java and Maven (Debian/Ubuntu: 'apt-get install -y default-jre-headless maven') " +
  'or set TEMPORAL_TEST_SERVER_PATH to an executable that runs the Temporal test server (`<exe> <port> --enable-time-skipping`)';

/** `${XDG_CACHE_HOME:-~/.cache}/flowdesk/tools/temporal-test-server-<version>` */
export function testServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCacheDir(env), `${NAME}-${TEMPORAL_TEST_SERVER_VERSION}`);
}

/**
 * Path of an executable taking `<port> --enable-time-skipping`: TEMPORAL_TEST_SERVER_PATH,
 * else the per-user cache, which is filled from Maven Central on first use.
 */
export async function resolveTimeSkippingServer(log: (msg: string) => void = () => undefined): Promise<string> {
  const override = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${override} does not exist`);
    return override;
  }
  const javaHome = process.env.JAVA_HOME;
  if (!findOnPath('java') && !(javaHome && fs.existsSync(path.join(javaHome, 'bin', 'java')))) {
    throw new Error(`the Temporal time-skipping test server needs Java, which is neither on PATH nor in JAVA_HOME: ${INSTALL_HINT}`);
  }
  const dir = testServerCacheDir();
  const executable = path.join(dir, NAME);
  // The directory only ever appears whole (see the rename below), so the wrapper's presence means complete.
  if (fs.existsSync(executable)) return executable;

  const mvn = findOnPath('mvn');
  if (!mvn) {
    throw new Error(`the Temporal time-skipping test server is not cached in ${dir} and Maven is not on PATH to fetch it: ${INSTALL_HINT}`);
  }
  log(`fetching Temporal time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION} from Maven Central (first run only)…`);
  const started = Date.now();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Staged beside the target (same file system) and renamed into place at the end.
  const staging = fs.mkdtempSync(`${dir}.partial-`);
  fs.chmodSync(staging, 0o755);
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-test-server-pom-'));
  const ticker = setInterval(() => log(`  still fetching… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    fs.writeFileSync(path.join(project, 'pom.xml'), pom());
    await runMaven(mvn, project, [
      '-q',
      '-B',
      COPY_DEPENDENCIES,
      `-DoutputDirectory=${path.join(staging, 'lib')}`,
      '-DincludeScope=runtime',
    ]);
    const wrapper = path.join(staging, NAME);
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\n# Temporal test server ${TEMPORAL_TEST_SERVER_VERSION}, fetched by FlowDesk (runtime/testServer.ts).\n` +
        `exec "\${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$(dirname "$0")/lib/*" ${MAIN_CLASS} "$@"\n`,
    );
    fs.chmodSync(wrapper, 0o755);
    try {
      fs.renameSync(staging, dir);
    } catch (error) {
      // A concurrent run got there first; its copy is complete, so use it.
      if (!fs.existsSync(executable)) throw error;
    }
    log(`fetched Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} into ${dir} in ${Math.round((Date.now() - started) / 1000)} s`);
    return executable;
  } catch (error) {
    throw new Error(`fetching the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} with Maven failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearInterval(ticker);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(project, { recursive: true, force: true });
  }
}

function pom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.flowdesk</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>${NAME}</artifactId>
      <version>${TEMPORAL_TEST_SERVER_VERSION}</version>
    </dependency>
    <dependency>
      <!-- silences SLF4J's "no binding" warning; matches the server's slf4j-api 1.7 -->
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;
}

function runMaven(mvn: string, cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mvn exited with ${code}:\n${output}`))));
  });
}
