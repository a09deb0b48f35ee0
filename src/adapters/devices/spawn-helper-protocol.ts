// The messages between the platform and its spawn helper (JSON over the IPC channel).
import type { ErrorCode } from '../../core/errors.ts';
import type { ExecResult } from '../../core/ports.ts';

export type HelperRequest =
  | { type: 'run'; id: number; argv: string[]; timeoutMs: number; outputCap: number; searchPath: string }
  | { type: 'cancel'; id: number };

export type HelperReply =
  | { type: 'started'; id: number; pid: number }
  | { type: 'done'; id: number; result: ExecResult }
  | { type: 'failed'; id: number; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };
