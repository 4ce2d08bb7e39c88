import type { Request, Response } from 'express';
import { problemHandler } from '../../api/errors';
import { InputError } from '../../api/problem';
import type { Logger } from '../../runtime/log';

/** Runs the error middleware on `error` and returns what it answered and logged. */
function answer(error: unknown) {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  const sent: { status?: number; headers: Record<string, string>; body?: Record<string, unknown>; type?: string } = { headers: {} };
  const res = {
    setHeader: (name: string, value: string) => void (sent.headers[name.toLowerCase()] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    type(type: string) {
      sent.type = type;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  problemHandler(logger)(error, { id: 'req-1', originalUrl: '/api/v1/x' } as unknown as Request, res, () => undefined);
  return { ...sent, logged };
}

describe('the problem+json error handler', () => {
  test('an unexpected error is a 500 that says only how to find it, and is logged', () => {
    const out = answer(new TypeError('cannot read properties of undefined (reading "x") at foo.ts:12'));
    expect(out.status).toBe(500);
    expect(out.type).toBe('application/problem+json');
    expect(out.body).toMatchObject({ title: 'Internal error', requestId: 'req-1', detail: expect.stringMatching(/request id/) });
    expect(JSON.stringify(out.body)).not.toMatch(/foo\.ts|undefined/);
    expect(out.logged).toHaveLength(1);
  });

  test('the store out of reach (a driver network error, also as a cause) is a 503 with Retry-After', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoNetworkError' });
    for (const error of [network, new Error('wrapped', { cause: network }), Object.assign(new Error('Server selection timed out'), { name: 'MongoServerSelectionError' })]) {
      const out = answer(error);
      expect(out.status).toBe(503);
      expect(out.headers['retry-after']).toBe('5');
      expect(out.body!.detail).toMatch(/database cannot be reached/);
    }
  });

  test('a Problem is answered as it is; body-parser errors keep their meaning', () => {
    expect(answer(new InputError('bad', [{ field: 'body.x', message: 'no' }]))).toMatchObject({ status: 400, body: { errors: [{ field: 'body.x', message: 'no' }] } });
    expect(answer(Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413 })).status).toBe(413);
  });
});
