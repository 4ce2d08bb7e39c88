import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../runtime/config';

describe('README', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it.each(Object.entries(SETTINGS))('documents %s with its meaning', (name, setting) => {
    expect(readme).toContain(`| \`${name}\` |`);
    expect(readme).toContain(setting.doc);
  });
});
