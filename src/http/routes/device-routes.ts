// /api/v1/devices: the device inventory. Reads for every role; changes (add, replace, remove, trust a host
// key) for admins, because a device definition decides what TwisterLab may run where.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeviceAdmin } from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';
import { errorResponses } from '../openapi.ts';
import { requireRole } from '../plugins/auth.ts';

export interface DeviceRouteDeps {
  devices: DeviceAdmin;
}

const deviceView = z
  .object({
    id: z.string(),
    kind: z.enum(['local', 'ssh']),
    source: z.enum(['builtin', 'file', 'api']),
    definition: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Device', description: 'A device of the inventory, secrets redacted' });
const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const hostKey = z
  .object({ fingerprint: z.string(), type: z.string(), publicKey: z.string() })
  .meta({ id: 'HostKey', description: 'The SSH host key a device presents' });

export function deviceRoutes(deps: DeviceRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/devices',
      {
        schema: {
          operationId: 'listDevices',
          tags: ['devices'],
          summary: 'Devices of the inventory (local, inventory file, API), secrets redacted',
          response: { 200: z.object({ items: z.array(deviceView) }).describe('The devices') },
        },
      },
      async () => ({ items: deps.devices.views() }),
    );

    app.get(
      '/api/v1/devices/:id',
      {
        schema: {
          operationId: 'getDevice',
          tags: ['devices'],
          summary: 'One device',
          params: idParams,
          response: { 200: deviceView.describe('The device'), ...errorResponses(404) },
        },
      },
      async (request) => {
        const view = deps.devices.view(request.params.id);
        if (!view)
          throw new TwisterError('DEVICE_NOT_FOUND', `no device "${request.params.id}" in the inventory`, {
            device_id: request.params.id,
          });
        return view;
      },
    );

    app.post(
      '/api/v1/devices',
      {
        // The body is validated by the device schema itself, so file and API entries get the same messages.
        schema: {
          operationId: 'addDevice',
          tags: ['devices'],
          summary: 'Register an SSH device (secrets only as file paths); its host key must then be trusted',
          body: z.unknown().describe('A device definition (an object), as in the inventory file'),
          response: { 201: deviceView.describe('The registered device'), ...errorResponses(409) },
        },
      },
      async (request, reply) => {
        requireRole(request, 'admin', 'registering a device');
        return reply.status(201).send(await deps.devices.add(request.body));
      },
    );

    app.put(
      '/api/v1/devices/:id',
      {
        schema: {
          operationId: 'replaceDevice',
          tags: ['devices'],
          summary: 'Replace the definition of a device registered through the API',
          params: idParams,
          body: z.unknown().describe('A device definition (an object), as in the inventory file'),
          response: { 200: deviceView.describe('The device as replaced'), ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        requireRole(request, 'admin', 'changing a device');
        return deps.devices.replace(request.params.id, request.body);
      },
    );

    app.delete(
      '/api/v1/devices/:id',
      {
        schema: {
          operationId: 'removeDevice',
          tags: ['devices'],
          summary: 'Remove a device registered through the API',
          params: idParams,
          response: { 204: z.undefined().describe('Removed'), ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => {
        requireRole(request, 'admin', 'removing a device');
        await deps.devices.remove(request.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/v1/devices/:id/host-key',
      {
        schema: {
          operationId: 'getDeviceHostKey',
          tags: ['devices'],
          summary: 'The host key the device presents now (nothing is trusted): check its fingerprint out of band',
          params: idParams,
          response: { 200: hostKey.describe('The presented host key'), ...errorResponses(404, 502, 504) },
        },
      },
      async (request) => deps.devices.scanHostKey(request.params.id),
    );

    app.post(
      '/api/v1/devices/:id/trust',
      {
        schema: {
          operationId: 'trustDeviceHostKey',
          tags: ['devices'],
          summary: 'Trust the host key the device presents, if its fingerprint is the one given',
          params: idParams,
          body: z.strictObject({
            fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256:… fingerprint'),
          }),
          response: {
            200: deviceView.describe('The device, its host key now trusted'),
            ...errorResponses(404, 409, 502, 504),
          },
        },
      },
      async (request) => {
        requireRole(request, 'admin', 'trusting a host key');
        return deps.devices.trustHostKey(request.params.id, request.body.fingerprint);
      },
    );
  };
}
