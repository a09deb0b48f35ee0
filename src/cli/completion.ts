// Completion scripts for bash and zsh, generated from the program itself so they never drift from it:
// commands, subcommands and options at each level, and the values of options with choices.
import type { Command, Option } from 'commander';

interface Level {
  /** The words after `twisterlab` that lead here, joined by spaces ("" for the top). */
  path: string;
  commands: Array<{ name: string; description: string }>;
  options: Array<{ flag: string; description: string; takesValue: boolean; choices: readonly string[] }>;
  /** Choices of a positional argument (completion <shell>). */
  arguments: readonly string[];
}

function levels(command: Command, path: string[] = []): Level[] {
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = [...command.options, helpOption()].flatMap(
    (o: Option | { long: string; description: string; required: false; optional: false; argChoices: undefined }) =>
      o.long
        ? [
            {
              flag: o.long,
              description: o.description,
              takesValue: o.required || o.optional,
              choices: o.argChoices ?? [],
            },
          ]
        : [],
  );
  const level: Level = {
    path: path.join(' '),
    commands: visible.map((c) => ({ name: c.name(), description: c.description() })),
    options,
    arguments: command.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
  return [level, ...visible.flatMap((c) => levels(c, [...path, c.name()]))];
}

const helpOption = () => ({
  long: '--help',
  description: 'show help',
  required: false as const,
  optional: false as const,
  argChoices: undefined,
});
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bash(all: Level[], name: string): string {
  const cases = all.map((l) => {
    const words = [...l.commands.map((c) => c.name), ...l.options.map((o) => o.flag), ...l.arguments].join(' ');
    const values = l.options
      .filter((o) => o.takesValue)
      .map(
        (o) =>
          `        ${o.flag}) ${o.choices.length ? `COMPREPLY=($(compgen -W ${quote(o.choices.join(' '))} -- "$cur"))` : 'COMPREPLY=($(compgen -f -- "$cur"))'}; return ;;`,
      );
    return [
      `    ${quote(l.path)})`,
      ...(values.length ? ['      case "$prev" in', ...values, '      esac'] : []),
      `      COMPREPLY=($(compgen -W ${quote(words)} -- "$cur")) ;;`,
    ].join('\n');
  });
  const known = all.map((l) => quote(l.path)).join(' ');
  return `# bash completion for ${name}: source it, or put it in ~/.local/share/bash-completion/completions/${name}
_${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" word i
  local -a known=(${known})
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ $word == -* ]] && continue
    local next="\${cmdpath:+$cmdpath }$word" k
    for k in "\${known[@]}"; do [[ $k == "$next" ]] && cmdpath=$next && break; done
  done
  case "$cmdpath" in
${cases.join('\n')}
  esac
}
complete -o default -F _${name} ${name}
`;
}

function zsh(all: Level[], name: string): string {
  const item = (flag: string, text: string) => quote(`${flag.replace(/:/g, '\\:')}:${text}`);
  const cases = all.map((l) => {
    const values = l.options
      .filter((o) => o.takesValue)
      .map(
        (o) =>
          `        ${o.flag}) ${o.choices.length ? `compadd -- ${o.choices.map(quote).join(' ')}` : '_files'}; return ;;`,
      );
    return [
      `    ${quote(l.path)})`,
      ...(values.length ? ['      case "$prev" in', ...values, '      esac'] : []),
      `      commands=(${[...l.commands.map((c) => item(c.name, c.description)), ...l.arguments.map((a) => item(a, a))].join(' ')})`,
      `      options=(${l.options.map((o) => item(o.flag, o.description)).join(' ')}) ;;`,
    ].join('\n');
  });
  return `#compdef ${name}
# zsh completion for ${name}: save it as _${name} in a directory of $fpath (or source it after compinit)
_${name}() {
  local cmdpath="" word prev="\${words[CURRENT-1]}" cur="\${words[CURRENT]}"
  local -a commands options known=(${all.map((l) => quote(l.path)).join(' ')})
  for word in "\${(@)words[2,CURRENT-1]}"; do
    [[ $word == -* ]] && continue
    (( \${known[(Ie)\${cmdpath:+$cmdpath }$word]} )) && cmdpath="\${cmdpath:+$cmdpath }$word"
  done
  case "$cmdpath" in
${cases.join('\n')}
  esac
  if [[ $cur == -* ]]; then _describe option options
  elif (( \${#commands} )); then _describe command commands
  else _files
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _${name} "$@"; else compdef _${name} ${name}; fi
`;
}

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const all = levels(program);
  return shell === 'bash' ? bash(all, program.name()) : zsh(all, program.name());
}
