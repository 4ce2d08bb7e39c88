import Handlebars from 'handlebars';
import { shellQuote } from '../../domain/automation/shell';

/**
 * Runbook templates (Handlebars) rendered for one host. Values that reach a shell are
 * quoted by the engine, never by the template author:
 * - `shell`: a command line; every `{{value}}` becomes one quoted word (the template's own
 *   text, pipes and all, stays as written). Raw `{{{value}}}` is refused: it would paste a
 *   value into the shell unquoted.
 * - `word`: an argument or environment value; rendered as text, then quoted whole by the caller.
 * - `url`: a URL; every `{{value}}` is percent-encoded (encodeURIComponent), so a value
 *   cannot add a path segment, a query parameter or a fragment; `{{{value}}}` pastes a
 *   value as it is (a base URL from a parameter).
 * - `text`: a message for people, and inputs that reach no shell (OIDs, paths, bodies).
 * Missing values are errors (strict mode), so a typo in `{{params.srvice}}` fails the step
 * instead of running `systemctl restart ''`.
 */
export type RenderMode = 'shell' | 'word' | 'url' | 'text';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const QUOTE_HELPER = '__flowdesk_shell_quote';
const ENCODE_HELPER = '__flowdesk_uri_encode';
const handlebars = Handlebars.create();
handlebars.registerHelper(QUOTE_HELPER, (value: unknown) => shellQuote(value === undefined || value === null ? '' : String(value)));
handlebars.registerHelper(ENCODE_HELPER, (value: unknown) => encodeURIComponent(value === undefined || value === null ? '' : String(value)));

const cache = new Map<string, HandlebarsTemplateDelegate>();

function compiled(template: string, mode: RenderMode): HandlebarsTemplateDelegate {
  const key = `${mode}\0${template}`;
  let found = cache.get(key);
  if (!found) {
    found = compile(template, mode);
    if (cache.size > 1000) cache.clear();
    cache.set(key, found);
  }
  return found;
}

export function render(template: string, context: object, mode: RenderMode): string {
  try {
    // Strict mode sees missing values only outside helpers, so the quoted form is checked as written first.
    if (mode === 'shell' || mode === 'url') compiled(template, 'text')(context);
    return compiled(template, mode)(context);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw new TemplateError(`template ${JSON.stringify(template.length > 80 ? `${template.slice(0, 77)}…` : template)}: ${(error as Error).message}`);
  }
}

function compile(template: string, mode: RenderMode): HandlebarsTemplateDelegate {
  let program: hbs.AST.Program;
  try {
    program = handlebars.parse(template);
  } catch (error) {
    throw new TemplateError(`template ${JSON.stringify(template)} is not valid Handlebars: ${(error as Error).message.split('\n')[0]}`);
  }
  if (mode === 'shell') new ShellQuoting().accept(program);
  if (mode === 'url') new UrlEncoding().accept(program);
  return handlebars.compile(program, { noEscape: true, strict: true, knownHelpersOnly: false });
}

/** Wraps every `{{expression}}` in the quoting helper: `{{x}}` → `{{__flowdesk_shell_quote x}}`. */
class ShellQuoting extends Handlebars.Visitor {
  override MustacheStatement(node: hbs.AST.MustacheStatement): void {
    if (!node.escaped) throw new TemplateError(`raw {{{${pathText(node)}}}} would paste a value into the shell unquoted; write {{${pathText(node)}}} and the engine quotes it`);
    const inner: hbs.AST.Expression =
      node.params.length || (node.hash && node.hash.pairs.length) ? ({ type: 'SubExpression', path: node.path, params: node.params, hash: node.hash, loc: node.loc } as hbs.AST.SubExpression) : node.path;
    node.path = { type: 'PathExpression', data: false, depth: 0, parts: [QUOTE_HELPER], original: QUOTE_HELPER, loc: node.loc } as hbs.AST.PathExpression;
    node.params = [inner];
    node.hash = { type: 'Hash', pairs: [], loc: node.loc } as hbs.AST.Hash;
    super.MustacheStatement(node);
  }
}

/** Wraps every escaped `{{expression}}` in the encoding helper; raw `{{{expression}}}` stays as written. */
class UrlEncoding extends Handlebars.Visitor {
  override MustacheStatement(node: hbs.AST.MustacheStatement): void {
    if (node.escaped) wrapIn(node, ENCODE_HELPER);
    super.MustacheStatement(node);
  }
}

function wrapIn(node: hbs.AST.MustacheStatement, helper: string): void {
  const inner: hbs.AST.Expression =
    node.params.length || (node.hash && node.hash.pairs.length) ? ({ type: 'SubExpression', path: node.path, params: node.params, hash: node.hash, loc: node.loc } as hbs.AST.SubExpression) : node.path;
  node.path = { type: 'PathExpression', data: false, depth: 0, parts: [helper], original: helper, loc: node.loc } as hbs.AST.PathExpression;
  node.params = [inner];
  node.hash = { type: 'Hash', pairs: [], loc: node.loc } as hbs.AST.Hash;
}

function pathText(node: hbs.AST.MustacheStatement): string {
  return (node.path as hbs.AST.PathExpression).original ?? '…';
}
