// Colour for the terminal: only on a TTY that has colours, never with NO_COLOR, always with FORCE_COLOR
// (unless it is "0" or "false"). The decision is made once per process by the entry point.
import type { ColourSettings } from '../config/terminal.ts';

export function colourEnabled(
  settings: ColourSettings,
  stream: { isTTY?: boolean; hasColors?: () => boolean },
): boolean {
  if (settings.noColor) return false;
  if (settings.forceColor !== undefined) return settings.forceColor;
  return Boolean(stream.isTTY && (stream.hasColors?.() ?? true));
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof CODES;

export type Paint = (style: Style, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled
    ? (style, text) => `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m`
    : (_style, text) => text;
}

/** The colour of a ticket status: green when done, yellow when a person is asked, red when handed over. */
export function statusStyle(status: string): Style | undefined {
  if (status === 'resolved' || status === 'approved') return 'green';
  if (status === 'awaiting_approval' || status === 'no_fault_found' || status === 'pending') return 'yellow';
  if (status === 'escalated' || status === 'failed' || status === 'denied' || status === 'expired') return 'red';
  return undefined;
}
