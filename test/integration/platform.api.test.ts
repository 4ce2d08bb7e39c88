import SwaggerParser from '@apidevtools/swagger-parser';
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { connectStore } from '../../store/connection';
import { addUser, isolationName, mongoUri, startTestApi, temporalAddress, type TestApi, testLogger, testMasterKey } from '../setup/harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz when Temporal and the store are reachable', async () => {
    expect(((await (await fetch(`${api.baseUrl}/healthz`)).json()) as any)).toEqual({ status: 'ok' });
    const ready = await fetch(`${api.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { temporal: { status: 'ok' }, store: { status: 'ok' } } });
  });

  it('answers 503 from /readyz, naming the failing dependency, when the store is gone', async () => {
    const db = await connectStore(mongoUri(), isolationName());
    const connection = await Connection.connect({ address: temporalAddress() });
    const app = createApp({ db, temporal: new Client({ connection }), namespace: 'default', taskQueue: 'unused', logger: testLogger(), masterKey: testMasterKey() });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      await db.close();
      const reply = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`);
      expect(reply.status).toBe(503);
      const body = ((await reply.json()) as any);
      expect(body.checks.temporal).toEqual({ status: 'ok' });
      expect(body.checks.store).toEqual({ status: 'failing', error: expect.any(String) });
    } finally {
      server.close();
      await connection.close();
    }
  });

  it('serves Prometheus metrics with request durations by route pattern', async () => {
    await fetch(`${api.baseUrl}/api/v1/tickets?limit=1`, { headers: { authorization: (await addUser(api.db, 'metrics', ['agent'])).bearer } });
    const reply = await fetch(`${api.baseUrl}/metrics`);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await reply.text();
    expect(text).toMatch(/flowdesk_http_request_duration_seconds_count\{method="GET",route="\/tickets",status="200"\} \d+/);
    expect(text).toMatch(/flowdesk_process_cpu_seconds_total/);
  });

  it('answers unknown paths with problem+json and no internals', async () => {
    const reply = await fetch(`${api.baseUrl}/api/v1/nowhere`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/problem\+json/);
    expect(reply.headers.get('x-powered-by')).toBeNull();
    expect((((await reply.json()) as any)).detail).toBe('no route GET /nowhere');
  });
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document covering every ticket operation, each with its permission', async () => {
    const document = ((await (await fetch(`${api.baseUrl}/api/v1/openapi.json`)).json()) as any);
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    const ticketOps = operations.filter((op) => / \/(tickets|incidents|problems|requests|known-errors)/.test(op));
    expect(ticketOps.filter((op) => !op.includes('/actions/')).sort()).toEqual(
      [
        'GET /known-errors searchKnownErrors',
        'GET /tickets listTickets',
        'GET /tickets/{number} getTicket',
        'GET /tickets/{number}/stream streamTicket',
        'POST /incidents createIncident',
        'POST /problems createProblem',
        'POST /requests createRequest',
      ].sort(),
    );
    // Every action the API accepts has its operation, named after it.
    expect(ticketOps.filter((op) => op.includes('/actions/')).map((op) => op.split(' ')[1]!.split('/').pop())).toEqual(expect.arrayContaining(['assign', 'comment', 'hold', 'resolve', 'reopen', 'decide', 'complete_task', 'publish_known_error']));
    // Generated from the validating schemas: the create body rejects unknown fields and needs a title.
    expect(document.components.schemas.NewIncident).toMatchObject({ additionalProperties: false, required: ['title', 'impact', 'urgency'] });
  });
});

describe('the UI', () => {
  it('serves the single-page app for client-side routes but not for API paths', async () => {
    const page = await fetch(`${api.baseUrl}/incidents/INC0000001`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root"/);
  });
});
