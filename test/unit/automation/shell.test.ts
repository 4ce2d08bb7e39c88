import { execFileSync } from 'node:child_process';
import { envPrefix, shellCommand, shellQuote, ShellValueError } from '../../../domain/automation/shell';

// Checked against a real POSIX shell: what the engine quotes comes back byte for byte.
const NASTY = ['', 'plain', "it's", "''", '$(touch /tmp/flowdesk-pwned)', '`id`', '$HOME', '"double"', 'a b\tc', 'line1\nline2', '; rm -rf / #', '\\', 'ünïcødé ✓', '-n', '*', '!event'];

const sh = (script: string) => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('shell quoting', () => {
  test.each(NASTY)('%j reaches the program as one argument, unchanged', (value) => {
    expect(sh(`printf '%s|' ${shellQuote(value)}`)).toBe(`${value}|`);
  });

  test('a command line keeps every argument whole', () => {
    expect(sh(shellCommand('printf', ['%s|', ...NASTY]))).toBe(NASTY.map((v) => `${v}|`).join(''));
  });

  test('parameters as environment variables, read by the script, never pasted into it', () => {
    const script = `${envPrefix({ TARGET_DIR: '/var/log/$(id)', NOTE: "it's done" })} sh -c 'printf "%s|%s" "$TARGET_DIR" "$NOTE"'`;
    expect(sh(script)).toBe("/var/log/$(id)|it's done");
  });

  test('what cannot be passed safely is refused', () => {
    expect(() => shellQuote('a\0b')).toThrow(ShellValueError);
    expect(() => envPrefix({ 'BAD NAME': 'x' })).toThrow(/not an environment variable name/);
    expect(() => envPrefix({ '1ST': 'x' })).toThrow(ShellValueError);
  });
});
