import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { Permission } from '../domain/identity/permissions';
import { ForbiddenError, UnauthorizedError } from './problem';
import { parsePart } from './validate';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

/**
 * One API operation: its contract (fed to the OpenAPI document) and its handler, which
 * receives already-validated input. The same schemas validate and document.
 */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Express path, e.g. `/incidents/:number`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /**
   * What the caller needs: a permission, any signed-in caller ('authenticated'), or
   * nothing ('public'). Required, so a route cannot forget it; the OpenAPI document
   * lists it as `x-permission`.
   */
  permission: Permission | 'authenticated' | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the operation reads, documented as parameters. */
  headers?: Record<string, string>;
  responses: Record<number, ResponseSpec>;
  handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; req: Request; res: Response }) => Promise<void> | void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec;
}

/** Called when a signed-in caller lacks the route's permission (the audit trail records it). */
export type DeniedHook = (req: Request, permission: Permission) => Promise<void>;

export function mount(router: Router, routes: AnyRoute[], onDenied: DeniedHook = async () => undefined): void {
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      if (route.permission !== 'public') {
        if (!req.principal) throw new UnauthorizedError();
        if (route.permission !== 'authenticated' && !req.principal.permissions.has(route.permission)) {
          await onDenied(req, route.permission);
          throw new ForbiddenError(`this needs the permission '${route.permission}', which ${req.principal.tokenId ? 'this API token' : 'your roles'} do not grant`);
        }
      }
      const params = route.params ? parsePart(route.params, req.params, 'params') : {};
      const query = route.query ? parsePart(route.query, req.query, 'query') : {};
      const body = route.body ? parsePart(route.body, req.body, 'body') : undefined;
      await route.handler({ params, query, body, req, res });
    });
  }
}
