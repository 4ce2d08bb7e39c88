import path from 'node:path';

/** The project's root folder, whether the code runs from source or compiled into dist/. */
export function projectRoot(): string {
  const parent = path.resolve(__dirname, '..');
  return path.basename(parent) === 'dist' ? path.dirname(parent) : parent;
}
