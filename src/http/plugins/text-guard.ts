// Refuses text that may not enter the platform (src/core/text-guard.ts) in the body, query string and path
// parameters of every route, before any schema or handler sees it: 400 VALIDATION_FAILED naming the field.
// Header values need no check here: Node's HTTP parser already refuses control characters in them.
import type { FastifyInstance } from 'fastify';
import { TwisterError } from '../../core/errors.ts';
import { describeTextProblem, findTextProblem } from '../../core/text-guard.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler checks text itself (MCP: a bad tool argument is answered as a tool error, not an HTTP 400). */
    textCheckedByHandler?: boolean;
  }
}

export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config?.textCheckedByHandler) return;
    const parts = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const;
    for (const [where, value] of parts) {
      const found = findTextProblem(value);
      if (found) {
        throw new TwisterError('VALIDATION_FAILED', `invalid ${where}: ${describeTextProblem(found)}`, {
          in: where,
          field: found.path,
        });
      }
    }
  });
}
