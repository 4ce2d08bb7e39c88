import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { createApp } from '../../api/app';
import { type EmbeddedStore, startDocumentStore } from '../../runtime/embedded';
import { freePort } from '../../runtime/ports';
import { issueToken } from '../../store/tokens';
import { addUser, createNamespace, isolationName, temporalAddress, testLogger, testMasterKey } from '../setup/harness';

// "If the store is down intake answers 503 with Retry-After and the sender's retry loses
// nothing": a document store of this test's own (the shared one stays up), stopped under
// the API and started again on the same data, with the sender retrying as Alertmanager does.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-store-down-'));
let port: number;
let store: EmbeddedStore;
let db: mongoose.Connection;
let server: Server;
let temporal: Connection;
let baseUrl: string;
let bearer: string;

const startStore = () => startDocumentStore({ dataDir, host: '127.0.0.1', port, timeoutMs: 60_000, say: () => undefined });

async function deliver(body: unknown) {
  const res = await fetch(`${baseUrl}/api/v1/alerts/intake/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: bearer }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

beforeAll(async () => {
  port = await freePort();
  store = await startStore();
  const name = isolationName('down');
  await createNamespace(name);
  // Quick to notice the store is gone, as a sender's timeout is short.
  db = mongoose.createConnection(store.uri, { dbName: name, serverSelectionTimeoutMS: 1500 });
  await db.asPromise();
  await addUser(db, 'prometheus', ['alert_sender']);
  bearer = `Bearer ${(await issueToken(db, 'prometheus', 'grafana', ['alert.intake'], null)).token}`;
  temporal = await Connection.connect({ address: temporalAddress() });
  const app = createApp({ db, temporal: new Client({ connection: temporal, namespace: name }), namespace: name, taskQueue: name, logger: testLogger(), masterKey: testMasterKey() });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 90_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await temporal?.close();
  await db?.close();
  await store?.service.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('503 with Retry-After while the store is down; the retry after it is back stores the alert', async () => {
  expect((await deliver(fixture('events-trigger'))).status).toBe(202);

  await store.service.stop();
  const second = { ...fixture('events-trigger'), dedup_key: 'sent-while-down' };
  const refused = await deliver(second);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body.detail).toMatch(/database cannot be reached right now; nothing was stored/);

  store = await startStore();
  // The sender retries until it is accepted, as Alertmanager does.
  let accepted: Awaited<ReturnType<typeof deliver>> | undefined;
  for (let attempt = 0; attempt < 60 && accepted?.status !== 202; attempt += 1) {
    if (attempt) await new Promise((r) => setTimeout(r, 500));
    accepted = await deliver(second);
  }
  expect(accepted!.status).toBe(202);
  expect(accepted!.body).toMatchObject({ duplicate: false, dedup_key: 'sent-while-down' });
  const stored = await db.collection('alerts').find({}, { projection: { nativeKey: 1 } }).toArray();
  expect(stored.map((a) => a.nativeKey).sort()).toEqual(['payments-api/db-latency/prod', 'sent-while-down']);
}, 120_000);
