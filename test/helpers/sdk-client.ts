import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import type { TestUser } from './test-server.js';

(logger as unknown as { setLevel(level: string): void }).setLevel('silent');

/** A real matrix-js-sdk client for a test user, not yet started. */
export function sdkClient(baseUrl: string, user: TestUser): sdk.MatrixClient {
  return sdk.createClient({ baseUrl, accessToken: user.accessToken, userId: user.userId, deviceId: user.deviceId });
}

/** Starts the client and resolves once its first sync is PREPARED (bounded: 20 s). */
export async function startAndWaitPrepared(client: sdk.MatrixClient): Promise<void> {
  const prepared = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client did not reach PREPARED')), 20_000);
    client.on(sdk.ClientEvent.Sync, (state, _prev, data) => {
      if (state === 'PREPARED') {
        clearTimeout(timer);
        resolve();
      }
      if (state === 'ERROR') {
        clearTimeout(timer);
        reject(data?.error ?? new Error('sync error'));
      }
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
}

/** Resolves with the first timeline event in `roomId` that `match` accepts (bounded: 10 s). */
export function waitForTimelineEvent(client: sdk.MatrixClient, roomId: string, match: (e: sdk.MatrixEvent) => boolean): Promise<sdk.MatrixEvent> {
  return new Promise((resolve, reject) => {
    const existing = client.getRoom(roomId)?.getLiveTimeline().getEvents().find(match);
    if (existing) return resolve(existing);
    const timer = setTimeout(() => {
      client.off(sdk.RoomEvent.Timeline, onEvent);
      reject(new Error('timeline event did not arrive'));
    }, 10_000);
    const onEvent = (event: sdk.MatrixEvent, room: sdk.Room | undefined) => {
      if (room?.roomId === roomId && match(event)) {
        clearTimeout(timer);
        client.off(sdk.RoomEvent.Timeline, onEvent);
        resolve(event);
      }
    };
    client.on(sdk.RoomEvent.Timeline, onEvent);
  });
}
