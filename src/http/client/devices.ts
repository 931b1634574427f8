import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { deviceIdParam } from '../params.js';
import { DeleteDeviceBody, DeleteDevicesBody, UpdateDeviceBody } from '../schemas/accounts.js';
import { paramsOf } from '../schemas/common.js';

type DeviceParams = { Params: { deviceId: string } };

/** The device-management API. */
export async function deviceRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const params = paramsOf('deviceId');

  app.get('/devices', { config: auth }, async (request) => services.devices.list(requesterOf(request)));

  app.get<DeviceParams>('/devices/:deviceId', { schema: { params }, config: auth }, async (request) =>
    services.devices.get(requesterOf(request), deviceIdParam(request.params.deviceId)));

  app.put<DeviceParams & { Body: { display_name?: string } | null }>(
    '/devices/:deviceId',
    { schema: { params, body: UpdateDeviceBody }, config: auth },
    async (request) => {
      await services.devices.rename(requesterOf(request), deviceIdParam(request.params.deviceId), request.body?.display_name);
      return {};
    },
  );

  app.delete<DeviceParams & { Body: { auth?: unknown } | null }>(
    '/devices/:deviceId',
    { schema: { params, body: DeleteDeviceBody }, config: auth },
    async (request) => {
      await services.devices.delete(requesterOf(request), [deviceIdParam(request.params.deviceId)], request.body?.auth);
      return {};
    },
  );

  app.post<{ Body: { devices: string[]; auth?: unknown } }>(
    '/delete_devices',
    { schema: { body: DeleteDevicesBody }, config: auth },
    async (request) => {
      await services.devices.delete(requesterOf(request), request.body.devices.map(deviceIdParam), request.body.auth);
      return {};
    },
  );
}
