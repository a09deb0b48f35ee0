// The benches' command lines: node's parseArgs, with `--help` listing the options and their defaults, and an
// unknown or malformed option answered by that list and exit code 2 instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function benchArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const options = config.options ?? {};
  const usage = () =>
    Object.entries(options)
      .map(([name, option]) => {
        const value = option.type === 'string' ? ` <${option.default ?? 'value'}>` : '';
        return `  --${name}${value}${option.multiple ? ' (repeatable)' : ''}`;
      })
      .join('\n');
  const script = process.argv[1]?.split('/').slice(-2).join('/') ?? 'bench';
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(`${script} options (defaults in <>):\n${usage()}`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    console.error(`${script}: ${(error as Error).message}\noptions (defaults in <>):\n${usage()}`);
    process.exit(2);
  }
}

/** `--node-flags="..."` (with `=`: the flags start with a dash): a bench server's Node and V8 flags, one per word. */
export function splitNodeFlags(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}
