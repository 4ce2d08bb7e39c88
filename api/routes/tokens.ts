import type { Connection } from 'mongoose';
import { z } from 'zod';
import { issueToken, publicToken, type TokenDocument, tokenModel } from '../../store/tokens';
import type { AuditRecorder } from '../audit';
import { InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { newTokenBody, token } from '../schemas/identity';

const DAY_MS = 86_400_000;

/** A user's own API tokens: shown once at creation, stored hashed, revocable. */
export function tokenRoutes({ db, audit }: { db: Connection; audit: AuditRecorder }): AnyRoute[] {
  const tokens = tokenModel(db);

  const list = defineRoute({
    method: 'get',
    path: '/me/tokens',
    operationId: 'listMyTokens',
    summary: 'My API tokens (never their secrets)',
    tag: 'profile',
    permission: 'profile.tokens',
    responses: { 200: { description: 'Tokens, newest first', schema: z.object({ items: z.array(token) }) } },
    async handler({ req, res }) {
      const found = await tokens.find({ owner: req.principal!.username }).sort({ createdAt: -1 }).lean<TokenDocument[]>().exec();
      res.json({ items: found.map(publicToken) });
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/me/tokens',
    operationId: 'createMyToken',
    summary: 'Create an API token carrying some of my permissions; its secret is shown only in this response',
    tag: 'profile',
    permission: 'profile.tokens',
    body: newTokenBody,
    responses: { 201: { description: 'The token record and, once, the token', schema: z.object({ token: z.string(), record: token }) } },
    async handler({ body, req, res }) {
      const principal = req.principal!;
      const beyond = body.scopes.filter((scope) => !principal.permissions.has(scope as never));
      if (beyond.length) {
        throw new InputError(`a token cannot carry permissions you do not hold: ${beyond.join(', ')}`, [{ field: 'body.scopes', message: `not yours: ${beyond.join(', ')}` }]);
      }
      const expiresAt = body.expiresInDays === null ? null : new Date(Date.now() + body.expiresInDays * DAY_MS).toISOString();
      const issued = await issueToken(db, principal.username, body.name, body.scopes, expiresAt);
      await audit(req, { action: 'token.create', target: { type: 'api_token', id: issued.record.id }, diff: { scopes: { after: body.scopes }, expiresAt: { after: expiresAt } }, outcome: 'success' });
      res.status(201).json(issued);
    },
  });

  const revoke = defineRoute({
    method: 'delete',
    path: '/me/tokens/:id',
    operationId: 'revokeMyToken',
    summary: 'Revoke one of my API tokens; it stops working at once',
    tag: 'profile',
    permission: 'profile.tokens',
    params: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9]{16}$/, 'not a token id') }),
    responses: { 204: { description: 'Revoked' } },
    async handler({ params, req, res }) {
      const result = await tokens.updateOne({ _id: params.id, owner: req.principal!.username, revokedAt: null }, { $set: { revokedAt: new Date().toISOString() } }).exec();
      if (result.matchedCount === 0) throw new NotFoundError(`you have no active token ${params.id}`);
      await audit(req, { action: 'token.revoke', target: { type: 'api_token', id: params.id }, outcome: 'success' });
      res.status(204).end();
    },
  });

  return [list, create, revoke];
}
