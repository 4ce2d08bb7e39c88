/**
 * Paths as rules see them: lexically normalised (`//etc/./` is `/etc`, `/usr/..` is `/`),
 * and globs over the top of the filesystem listed as the directories they can name, so
 * `rm -rf /e?c` is also read as `rm -rf /etc`. Symlinks are not followed: there is no disk.
 */

/** `/bin/rm` runs rm; `./rm` too. */
export function programName(word: string): string {
  if (!word.includes('/') || word.startsWith('$')) return word;
  return word.slice(word.lastIndexOf('/') + 1) || word;
}

const PATH_ARG = /^(>>?|<|[A-Za-z][\w-]*=|--?[A-Za-z][\w-]*=)?([/~][\s\S]*)$/;

/** `//etc/./` is `/etc`, `/usr/..` is `/`, `~/` is `~`; also inside `of=/dev/…` and `--opt=/path`. */
export function normalizeArg(arg: string): string {
  const match = PATH_ARG.exec(arg);
  if (!match) return arg;
  const [, prefix = '', path] = match as unknown as [string, string | undefined, string];
  const head = path.startsWith('~') ? /^~[^/]*/.exec(path)![0] : '';
  const segments: string[] = [];
  for (const segment of path.slice(head.length).split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return prefix + (head ? [head, ...segments].join('/') : `/${segments.join('/')}`);
}

/** What a glob can name on any Linux host: top-level and key second-level directories, and typical disks. */
const SKELETON = [
  ...['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'snap', 'srv', 'sys', 'tmp', 'usr', 'var'],
  ...['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'usr/libexec', 'usr/local', 'usr/share', 'var/lib', 'var/log', 'var/tmp', 'boot/efi', 'etc/ssh'],
  ...['dev/sda', 'dev/sdb', 'dev/hda', 'dev/vda', 'dev/xvda', 'dev/nvme0n1', 'dev/mmcblk0', 'dev/md0', 'dev/dm-0'],
];
const MAX_GLOB_MATCHES = 24;

export function globMatches(token: string): string[] {
  const match = PATH_ARG.exec(token);
  if (!match || !/[*?[]/.test(match[2]!) || !match[2]!.startsWith('/')) return [];
  const segments = match[2]!.slice(1).split('/');
  const patterns = segments.map(globRegex);
  return SKELETON.filter((path) => {
    const parts = path.split('/');
    return parts.length === patterns.length && parts.every((part, i) => patterns[i]!.test(part));
  })
    .slice(0, MAX_GLOB_MATCHES)
    .map((path) => `${match[1] ?? ''}/${path}`);
}

function globRegex(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    const close = c === '[' ? segment.indexOf(']', i + 2) : -1;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (close > 0) {
      source += `[${segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return /^$/;
  }
}
