import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { projectRoot } from '../runtime/paths';

/** A notification template: catalog/templates/<event>/{subject,text,html}.hbs. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

type Compiled = Record<keyof RenderedMessage, Handlebars.TemplateDelegate>;

export const DEFAULT_TEMPLATES_DIR = path.join(projectRoot(), 'catalog', 'templates');

export class UnknownTemplate extends Error {}

/**
 * Loads and compiles every template under `dir` once. Text parts are rendered without
 * HTML escaping; the HTML part escapes every value (a ticket title is user input).
 */
export function loadTemplates(dir = DEFAULT_TEMPLATES_DIR): (event: string, context: object) => RenderedMessage {
  const compiled = new Map<string, Compiled>();
  for (const event of fs.readdirSync(dir)) {
    const part = (name: string, escape: boolean) => {
      const file = path.join(dir, event, `${name}.hbs`);
      if (!fs.existsSync(file)) throw new Error(`template ${event} has no ${name}.hbs (in ${path.join(dir, event)})`);
      return Handlebars.compile(fs.readFileSync(file, 'utf8'), { noEscape: !escape, strict: false });
    };
    compiled.set(event, { subject: part('subject', false), text: part('text', false), html: part('html', true) });
  }
  return (event, context) => {
    const template = compiled.get(event);
    if (!template) throw new UnknownTemplate(`no notification template '${event}'; known: ${[...compiled.keys()].sort().join(', ')}`);
    return {
      // A subject is one line, whatever the values contain.
      subject: template.subject(context).replace(/\s+/g, ' ').trim(),
      text: template.text(context),
      html: template.html(context),
    };
  };
}
