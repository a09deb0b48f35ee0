// /api/v1/artifacts/:id: the files agents produced (screenshots), served with their content type. Reads, so
// every role; the bytes are the page's rendering, never interpreted by the API.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import type { ArtifactStore } from '../../core/ports.ts';
import { errorResponses } from '../openapi.ts';

export interface ArtifactRouteDeps {
  artifacts: ArtifactStore;
}

export function artifactRoutes(deps: ArtifactRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/artifacts/:id',
      {
        schema: {
          operationId: 'getArtifact',
          tags: ['artifacts'],
          summary: 'An artifact (a screenshot as image/png) by the id a capability returned',
          params: z.strictObject({ id: z.uuid('must be an artifact id (a UUID)') }),
          response: {
            200: {
              description: "The artifact's bytes, with its content type",
              content: { 'image/png': { schema: z.custom<Buffer>().meta({ type: 'string', format: 'binary' }) } },
            },
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const id = request.params.id.toLowerCase();
        const artifact = await deps.artifacts.open(id);
        if (!artifact) throw new TwisterError('ARTIFACT_NOT_FOUND', `no artifact ${id}`, { artifact_id: id });
        return (
          reply
            .header('content-type', artifact.info.contentType)
            // The PNG is displayed as what it is, never sniffed into something a browser would run.
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .header('cache-control', 'private, max-age=86400, immutable')
            .header('etag', `"${artifact.info.sha256}"`)
            .send(Buffer.from(artifact.data))
        );
      },
    );
  };
}
