// Colour settings of the terminal (no-color.org, force-color.org), read without zod: `--help` needs them and
// must stay fast.
export interface ColourSettings {
  noColor: boolean;
  /** FORCE_COLOR set: true, unless it is "0" or "false". */
  forceColor: boolean | undefined;
}

export function terminalSettings(env: NodeJS.ProcessEnv): ColourSettings {
  const force = env.FORCE_COLOR;
  return {
    noColor: Boolean(env.NO_COLOR),
    forceColor: force === undefined ? undefined : !(force === '0' || force === 'false'),
  };
}
