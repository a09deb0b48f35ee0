// The shipped catalogue, read once (validated, without checking capabilities: the runtime does that at start).
import { loadBuiltinRunbooks } from './runbook-files.ts';

export const builtinRunbooks = loadBuiltinRunbooks();
