// Canonicalises backup and sync paths: absolute, no traversal (plain or percent-encoded), no NUL, and
// resolving, with every symlink followed, under one of the configured roots.
import path from 'node:path';
import { TwisterError } from './errors.ts';

function refuse(message: string, target: string): never {
  throw new TwisterError('PATH_NOT_ALLOWED', message, { path: target.replace(/\0/g, '\\0') });
}

/** True when `child` is `root` or lies below it (both already canonical). */
export function isUnder(child: string, root: string): boolean {
  const rel = path.posix.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
}

/** The syntactic checks, before anything touches a file system. */
export function checkPathSyntax(target: string): string {
  if (target.includes('\0')) refuse('a path may not contain a NUL byte', target);
  if (!target.startsWith('/')) refuse(`"${target}" is not an absolute path`, target);
  let decoded = target;
  try {
    // Decode repeatedly: `%252e%252e` is `..` after two rounds.
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i += 1) decoded = decodeURIComponent(decoded);
  } catch {
    refuse(`"${target}" has a malformed percent escape`, target);
  }
  if (decoded !== target) refuse(`"${target}" contains percent-encoded characters`, target);
  if (target.split('/').some((segment) => segment === '..' || segment === '.'))
    refuse(`"${target}" contains "." or ".." segments`, target);
  return path.posix.normalize(target);
}

/**
 * The canonical form of `target` (realpath) when it lies under a root; roots are canonicalised the same way.
 * `realpath` is the file system's own (local or SFTP), so a link that leaves the roots is caught there.
 */
export async function canonicalisePath(
  target: string,
  roots: readonly string[],
  realpath: (p: string) => Promise<string>,
): Promise<string> {
  const normal = checkPathSyntax(target);
  if (roots.length === 0) refuse('no backup roots are configured (TWISTERLAB_BACKUP_ROOTS)', target);
  let real: string;
  try {
    real = await realpath(normal);
  } catch {
    refuse(`"${target}" does not exist`, target);
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot && isUnder(real, realRoot)) return real;
  }
  return refuse(`"${target}" resolves to ${real}, outside the backup roots`, target);
}

/** A manifest or walk entry path: relative, POSIX, no traversal. */
export function isSafeRelative(rel: string): boolean {
  return (
    rel.length > 0 &&
    !rel.includes('\0') &&
    !rel.startsWith('/') &&
    !rel.split('/').some((s) => s === '..' || s === '.' || s === '')
  );
}

/**
 * The directory names from `/` down to `root`, and those of `rel` below it, for a tree that opens them one by one.
 * `root` must be absolute and normal, `rel` a safe relative path (`''` for the root itself when `allowRoot`).
 */
export function rootedSegments(root: string, rel: string, allowRoot = false): { root: string[]; rel: string[] } {
  const normal = checkPathSyntax(root);
  if (normal !== root && `${normal}/` !== root) refuse(`"${root}" is not a normal absolute path`, root);
  if (!(allowRoot && rel === '') && !isSafeRelative(rel)) refuse(`"${rel}" is not a relative path below ${root}`, rel);
  return { root: normal.split('/').filter(Boolean), rel: rel === '' ? [] : rel.split('/') };
}
