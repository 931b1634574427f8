// Account suspension and locking (spec v1.18/v1.19, client-server API "Account suspension" and
// "Account locking"): the admin endpoints, then what each mark does to the user's requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { UPLOAD, uploadRaw } from '../helpers/media.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const V1 = '/_matrix/client/v1/admin';
const u = (userId: string) => encodeURIComponent(userId);

forEachBackend('account suspension and locking', (backend) => {
  let s: TestServer;
  let root: TestUser;
  let other: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    root = await s.createUser('root', { admin: true });
    other = await s.createUser('other');
  });
  after(() => s.close());

  const admin = async (method: 'GET' | 'PUT', path: string, token: string, body?: unknown) => {
    const url = `${V1}/${path}`;
    return { url, res: await s.request(method, url, { token, ...(body === undefined ? {} : { body }) }) };
  };

  describe('admin endpoints', () => {
    for (const [path, field] of [['suspend', 'suspended'], ['lock', 'locked']] as const) {
      it(`${path}: GET and PUT set and report the mark`, async () => {
        const target = await s.createUser(`t-${path}`);
        let { url, res } = await admin('GET', `${path}/${u(target.userId)}`, root.accessToken);
        assertSpecResponse(res, 'GET', url);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), { [field]: false });

        ({ url, res } = await admin('PUT', `${path}/${u(target.userId)}`, root.accessToken, { [field]: true }));
        assertSpecResponse(res, 'PUT', url);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), { [field]: true });
        ({ res } = await admin('GET', `${path}/${u(target.userId)}`, root.accessToken));
        assert.deepEqual(res.json(), { [field]: true });

        ({ res } = await admin('PUT', `${path}/${u(target.userId)}`, root.accessToken, { [field]: false }));
        assert.deepEqual(res.json(), { [field]: false });
        ({ res } = await admin('GET', `${path}/${u(target.userId)}`, root.accessToken));
        assert.deepEqual(res.json(), { [field]: false });
      });

      it(`${path}: non-admins, oneself, other admins, remote, unknown and deactivated users are refused`, async () => {
        let { url, res } = await admin('GET', `${path}/${u(root.userId)}`, other.accessToken);
        assertMatrixError(res, 403, 'M_FORBIDDEN', 'GET', url);
        ({ url, res } = await admin('PUT', `${path}/${u(root.userId)}`, other.accessToken, { [field]: true }));
        assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', url);
        ({ url, res } = await admin('PUT', `${path}/${u(root.userId)}`, root.accessToken, { [field]: true }));
        assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', url);
        const admin2 = await s.createUser(`admin-${path}`, { admin: true });
        ({ url, res } = await admin('PUT', `${path}/${u(admin2.userId)}`, root.accessToken, { [field]: true }));
        assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', url);
        ({ url, res } = await admin('GET', `${path}/${u('@someone:elsewhere.test')}`, root.accessToken));
        assertMatrixError(res, 400, 'M_INVALID_PARAM', 'GET', url);
        ({ url, res } = await admin('GET', `${path}/${u(`@nobody:${root.userId.split(':')[1]}`)}`, root.accessToken));
        assertMatrixError(res, 404, 'M_NOT_FOUND', 'GET', url);
        const gone = await s.createUser(`gone-${path}`);
        await s.app.store.accounts.setDeactivated(gone.userId);
        ({ url, res } = await admin('PUT', `${path}/${u(gone.userId)}`, root.accessToken, { [field]: true }));
        assertMatrixError(res, 404, 'M_NOT_FOUND', 'PUT', url);
        // Nothing was marked by the refused calls.
        assert.equal((await s.app.store.accounts.get(admin2.userId))?.[field], false);
        assert.equal((await s.app.store.accounts.get(root.userId))?.[field], false);
      });
    }

    it("Synapse's PUT /_synapse/admin/v1/suspend sets the same mark, admins only", async () => {
      const target = await s.createUser('t-synapse');
      const url = `/_synapse/admin/v1/suspend/${u(target.userId)}`;
      const refused = await s.request('PUT', url, { token: other.accessToken, body: { suspend: true } });
      assertMatrixError(refused, 403, 'M_FORBIDDEN', 'PUT', url, 'synapse-admin');
      const res = await s.request('PUT', url, { token: root.accessToken, body: { suspend: true } });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { [`user_${target.userId}_suspended`]: true });
      const { res: got } = await admin('GET', `suspend/${u(target.userId)}`, root.accessToken);
      assert.deepEqual(got.json(), { suspended: true });
    });
  });

  it('a locked user gets 401 M_USER_LOCKED with soft_logout on every request but logout; unlocking restores access', async () => {
    const locked = await s.createUser('locky');
    await admin('PUT', `lock/${u(locked.userId)}`, root.accessToken, { locked: true });
    for (const [method, path] of [['GET', '/account/whoami'], ['GET', '/sync'], ['GET', `/profile/${u(locked.userId)}/displayname`]] as const) {
      const res = await s.request(method, `${V3}${path}`, { token: locked.accessToken });
      const body = assertMatrixError(res, 401, 'M_USER_LOCKED', method, `${V3}${path}`) as { soft_logout?: boolean };
      assert.equal(body.soft_logout, true);
    }
    // Synapse's user view shows the lock.
    const view = await s.request('GET', `/_synapse/admin/v2/users/${u(locked.userId)}`, { token: root.accessToken });
    assert.equal(view.json().locked, true);

    await admin('PUT', `lock/${u(locked.userId)}`, root.accessToken, { locked: false });
    const whoami = await s.request('GET', `${V3}/account/whoami`, { token: locked.accessToken });
    assert.equal(whoami.statusCode, 200, whoami.body);
    assert.equal(whoami.json().user_id, locked.userId);

    // Logging out stays possible while locked, and ends the session.
    await admin('PUT', `lock/${u(locked.userId)}`, root.accessToken, { locked: true });
    const logout = await s.request('POST', `${V3}/logout`, { token: locked.accessToken, body: {} });
    assert.equal(logout.statusCode, 200, logout.body);
    assert.deepEqual(logout.json(), {});
    assert.equal((await s.app.store.devices.list(locked.userId)).length, 0);
  });

  it('a suspended user may read, leave, forget and reject invites, but not create, join, invite, send, set state or profile, or upload', async () => {
    const r = rest(s);
    const sus = await s.createUser('sus');
    const open = await r.createRoom(other, { preset: 'public_chat' });
    await r.join(sus, open);
    const eventId = await r.send(other, open, 'before the suspension');
    const inviting = await r.createRoom(other);
    await r.invite(other, inviting, sus);
    const second = await r.createRoom(other, { preset: 'public_chat' });
    await admin('PUT', `suspend/${u(sus.userId)}`, root.accessToken, { suspended: true });

    const refused: Array<['POST' | 'PUT', string, unknown]> = [
      ['POST', '/createRoom', {}],
      ['POST', `/rooms/${u(second)}/join`, {}],
      ['POST', `/join/${u(second)}`, {}],
      ['POST', `/knock/${u(second)}`, {}],
      ['POST', `/rooms/${u(open)}/invite`, { user_id: root.userId }],
      ['PUT', `/rooms/${u(open)}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'no' }],
      ['PUT', `/rooms/${u(open)}/state/m.room.topic/`, { topic: 'no' }],
      ['PUT', `/profile/${u(sus.userId)}/displayname`, { displayname: 'no' }],
      // The member state endpoint joins and invites too: refused, but for leaving (below).
      ['PUT', `/rooms/${u(second)}/state/m.room.member/${u(sus.userId)}`, { membership: 'join' }],
      ['PUT', `/rooms/${u(open)}/state/m.room.member/${u(root.userId)}`, { membership: 'invite' }],
    ];
    for (const [method, path, body] of refused) {
      const res = await s.request(method, `${V3}${path}`, { token: sus.accessToken, body });
      assertMatrixError(res, 403, 'M_USER_SUSPENDED', method, `${V3}${path}`);
    }
    assertMatrixError(await uploadRaw(s, sus, 'bytes', { contentType: 'text/plain' }), 403, 'M_USER_SUSPENDED', 'POST', UPLOAD);
    // Nothing the refused requests asked for happened.
    const messages = await r.messages(sus, open);
    assert.deepEqual(messages.chunk.filter((e: { sender: string; type: string }) => e.sender === sus.userId && e.type !== 'm.room.member'), []);
    assert.equal((await s.app.store.accounts.get(sus.userId))?.displayname, 'sus');

    // Reading still works.
    assert.ok(messages.chunk.some((e: { event_id: string }) => e.event_id === eventId));
    const synced = await s.request('GET', `${V3}/sync`, { token: sus.accessToken });
    assert.equal(synced.statusCode, 200, synced.body);
    assert.ok(open in synced.json().rooms.join);
    // Leaving, forgetting and rejecting an invite stay possible (docs/LEAVING.md).
    await r.ok('PUT', `${r.room(open)}/state/m.room.member/${u(sus.userId)}`, sus, { membership: 'leave' });
    await r.forget(sus, open);
    await r.leave(sus, inviting);
    for (const roomId of [open, inviting]) {
      const member = await r.ok('GET', `${r.room(roomId)}/state/m.room.member/${u(sus.userId)}`, other);
      assert.equal(member.membership, 'leave');
    }

    // Lifting the suspension restores writing.
    await admin('PUT', `suspend/${u(sus.userId)}`, root.accessToken, { suspended: false });
    await r.join(sus, second);
    await r.send(sus, second, 'after the suspension');
  });
}, describe);
