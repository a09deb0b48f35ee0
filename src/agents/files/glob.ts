// File-name globs for the files agent: `*`, `?` and `[...]` classes (`[!...]` negates), everything else literal.
// A glob matches one name, never a path: it cannot hold `/`.

export const MAX_GLOB_LENGTH = 255;

/** Why a glob is refused, or undefined when it is fine. */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0 || glob.length > MAX_GLOB_LENGTH) return `must be 1 to ${MAX_GLOB_LENGTH} characters`;
  if (glob.includes('/') || glob.includes('\0')) return 'matches file names only: no "/" or NUL';
  return undefined;
}

function classToRegExp(body: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, (c) => `\\${c}`);
  return `[${negated ? '^' : ''}${chars}]`;
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      // `]` right after `[` or `[!` is a member, as in fnmatch.
      const start = glob[i + 1] === '!' || glob[i + 1] === '^' ? i + 2 : i + 1;
      const close = glob.indexOf(']', start + 1);
      if (close === -1) source += '\\[';
      else {
        source += classToRegExp(glob.slice(i + 1, close));
        i = close;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** A name starting with `.` is matched only by a glob that starts with `.`, as in a shell. */
export function matchesGlob(name: string, glob: RegExp, globText: string): boolean {
  if (name.startsWith('.') && !globText.startsWith('.')) return false;
  return glob.test(name);
}
