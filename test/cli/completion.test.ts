// `twisterlab completion bash|zsh`: the generated scripts run in the real shells and offer the commands,
// subcommands, options and option values of the program at the position being completed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCliWith } from '../helpers/run-cli.ts';

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const run = await runCliWith(['completion', shell]);
  expect(run.code).toBe(0);
  return run.stdout;
}

/** What bash offers for a command line ending where the cursor is ("" = after a space). */
function bashComplete(code: string, words: string[]): string[] {
  const program = `${code}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_twisterlab; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

/** What zsh would offer, with the completion system's functions recorded instead of drawn. */
function zshComplete(code: string, words: string[]): string[] {
  const program = `compdef() { : }
_describe() { local name=$2; print -rl -- "\${(@)\${(P)name}%%:*}" }
compadd() { shift; print -rl -- "$@" }
_files() { print -r -- '<files>' }
${code}
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}
_twisterlab`;
  const result = spawnSync('zsh', ['-f', '-c', program], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('completion', () => {
  it('bash: commands, subcommands, options and their values', async () => {
    const code = await script('bash');
    expect(bashComplete(code, ['twisterlab', 'tic'])).toEqual(['ticket', 'tickets']);
    expect(bashComplete(code, ['twisterlab', 'ticket', 's'])).toEqual(['submit', 'show']);
    expect(bashComplete(code, ['twisterlab', 'ticket', 'submit', 'the shop is down', '--w'])).toEqual(['--wait']);
    expect(bashComplete(code, ['twisterlab', 'approvals', '--status', ''])).toEqual([
      'pending',
      'approved',
      'denied',
      'expired',
      'consumed',
    ]);
    expect(bashComplete(code, ['twisterlab', 'tickets', '--status', 'resolved', '--j'])).toEqual(['--json']);
    expect(bashComplete(code, ['twisterlab', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh']));
    expect(bashComplete(code, ['twisterlab', '--v'])).toEqual(['--version']);
  });

  it('zsh: the same, with descriptions for commands', async () => {
    const code = await script('zsh');
    expect(code).toMatch(/^#compdef twisterlab\n/);
    expect(spawnSync('zsh', ['-n'], { input: code, encoding: 'utf8' }).status).toBe(0);
    expect(code).toMatch(/'submit:submit a ticket in plain words'/);
    expect(zshComplete(code, ['twisterlab', 'tic'])).toEqual(
      expect.arrayContaining(['ticket', 'tickets', 'serve', 'runbooks']),
    );
    expect(zshComplete(code, ['twisterlab', 'ticket', 's'])).toEqual([
      'submit',
      'show',
      'confirm',
      'reopen',
      'assign',
      'comment',
      'comments',
      'resolve',
      'rerun',
    ]);
    expect(zshComplete(code, ['twisterlab', 'ticket', 'submit', 'the shop is down', '--w'])).toContain('--wait');
    expect(zshComplete(code, ['twisterlab', 'approvals', '--status', ''])).toEqual([
      'pending',
      'approved',
      'denied',
      'expired',
      'consumed',
    ]);
    expect(zshComplete(code, ['twisterlab', 'devices', 'add', ''])).toEqual(['<files>']);
  });
});
