import { z } from 'zod';
import type { AnyRoute } from './route';

type JsonSchema = Record<string, unknown>;

const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** Builds the OpenAPI 3.1 document from the same route specs that validate requests. */
export function openApiDocument(routes: AnyRoute[], version: string): JsonSchema {
  const schemas: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
    return hoist(json, schemas);
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...objectParameters(route.params, 'path', toSchema),
      ...objectParameters(route.query, 'query', toSchema),
      ...Object.entries(route.headers ?? {}).map(([name, description]) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.headers && { headers: Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }),
        ...(spec.schema && { content: { 'application/json': { schema: toSchema(spec.schema, 'output') } } }),
      };
    }
    responses.default = { description: 'An error, as RFC 9457 problem details', content: { 'application/problem+json': { schema: toSchema(problem, 'output') } } };
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      'x-permission': route.permission,
      ...(route.permission === 'public' && { security: [] }),
      tags: [route.tag],
      ...(parameters.length && { parameters }),
      ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'FlowDesk API', version, description: 'ITSM and operations automation on durable Temporal workflows.' },
    servers: [{ url: '/api/v1' }],
    paths,
    security: [{ apiToken: [] }, { session: [] }],
    components: {
      schemas,
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (fdt_…) created in the profile; carries a subset of its owner\'s permissions' },
        session: { type: 'apiKey', in: 'cookie', name: 'flowdesk_session', description: 'The UI session; writes also need the X-CSRF-Token header' },
      },
    },
  };
}

function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query', toSchema: (s: z.ZodType, io: 'input') => JsonSchema) {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** Moves zod's `$defs` (schemas with a meta `id`) into components and points refs there. */
function hoist(json: JsonSchema, schemas: Record<string, JsonSchema>): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const { $defs, $schema: _dialect, ...rest } = node as JsonSchema;
    for (const [id, schema] of Object.entries(($defs ?? {}) as Record<string, unknown>)) schemas[id] = walk(schema) as JsonSchema;
    return Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string' ? value.replace('#/$defs/', '#/components/schemas/') : walk(value),
      ]),
    );
  };
  return walk(json) as JsonSchema;
}
