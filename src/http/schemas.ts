// The error envelope of every REST answer that is not a success (zod; OpenAPI is generated from it). The shapes
// of tickets, comments and approvals are in core/operations/ticket-schemas.ts, shared with MCP.
import { z } from 'zod';
import { errorCatalogue, type ErrorCode } from '../core/errors.ts';

const ERROR_CODES = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** The envelope of every error answer, REST and MCP alike. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).describe('Stable code from the error catalogue; the HTTP status follows from it'),
      message: z.string().describe('What went wrong, for a human; a 5xx says only the fixed sentence of its code'),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('Fields that name what was refused (e.g. `in`, `field`)'),
      requestId: z.string().optional().describe('On server errors: the id the real error is logged under'),
    }),
  })
  .meta({ id: 'Error', description: 'The error envelope of every refusal and failure' });
