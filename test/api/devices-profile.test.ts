import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

forEachBackend('devices and profiles API', (backend) => {
  let s: TestServer;
  let ann: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    ann = await s.createUser('ann');
  });
  after(() => s.close());

  it('lists, shows and renames devices; unknown device is 404 M_NOT_FOUND', async () => {
    const list = await s.request('GET', `${V3}/devices`, { token: ann.accessToken });
    assert.equal(list.statusCode, 200);
    assertSpecResponse(list, 'GET', `${V3}/devices`);
    assert.deepEqual(list.json().devices.map((d: { device_id: string }) => d.device_id), [ann.deviceId]);

    const rename = await s.request('PUT', `${V3}/devices/${ann.deviceId}`, { token: ann.accessToken, body: { display_name: 'Work laptop' } });
    assert.equal(rename.statusCode, 200);
    assertSpecResponse(rename, 'PUT', `${V3}/devices/${ann.deviceId}`);
    const one = await s.request('GET', `${V3}/devices/${ann.deviceId}`, { token: ann.accessToken });
    assert.equal(one.statusCode, 200);
    assertSpecResponse(one, 'GET', `${V3}/devices/${ann.deviceId}`);
    assert.equal(one.json().display_name, 'Work laptop');

    for (const method of ['GET', 'PUT'] as const) {
      const res = await s.request(method, `${V3}/devices/NOPE`, { token: ann.accessToken, ...(method === 'PUT' ? { body: { display_name: 'x' } } : {}) });
      assert.equal(res.statusCode, 404, method);
      assert.equal(res.json().errcode, 'M_NOT_FOUND');
    }
  });

  it("another user's device is not visible", async () => {
    const ben = await s.createUser('ben');
    const res = await s.request('GET', `${V3}/devices/${ann.deviceId}`, { token: ben.accessToken });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().errcode, 'M_NOT_FOUND');
  });

  it('deleting a device needs the password (UIA) and revokes its token', async () => {
    const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'ann', password: ann.password, device_id: 'OLDPHONE' } });
    const phoneToken = login.json().access_token as string;
    const first = await s.request('DELETE', `${V3}/devices/OLDPHONE`, { token: ann.accessToken });
    assert.equal(first.statusCode, 401);
    assertSpecResponse(first, 'DELETE', `${V3}/devices/OLDPHONE`);
    const done = await s.request('DELETE', `${V3}/devices/OLDPHONE`, {
      token: ann.accessToken,
      body: { auth: { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: ann.userId }, password: ann.password } },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: phoneToken })).json().errcode, 'M_UNKNOWN_TOKEN');
    const gone = await s.request('GET', `${V3}/devices/OLDPHONE`, { token: ann.accessToken });
    assert.equal(gone.statusCode, 404);
  });

  it('POST /delete_devices needs the password (UIA), deletes every device named and revokes their tokens', async () => {
    const tokens: string[] = [];
    for (const device_id of ['BULK1', 'BULK2']) {
      const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'ann', password: ann.password, device_id } });
      assert.equal(login.statusCode, 200, login.body);
      tokens.push(login.json().access_token as string);
    }
    const url = `${V3}/delete_devices`;
    const first = await s.request('POST', url, { token: ann.accessToken, body: { devices: ['BULK1', 'BULK2'] } });
    assert.equal(first.statusCode, 401, first.body);
    assertSpecResponse(first, 'POST', url);
    const done = await s.request('POST', url, {
      token: ann.accessToken,
      body: { devices: ['BULK1', 'BULK2'], auth: { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: ann.userId }, password: ann.password } },
    });
    assert.equal(done.statusCode, 200, done.body);
    assertSpecResponse(done, 'POST', url);
    for (const token of tokens) assert.equal((await s.request('GET', `${V3}/account/whoami`, { token })).json().errcode, 'M_UNKNOWN_TOKEN');
    const left = await s.request('GET', `${V3}/devices`, { token: ann.accessToken });
    const ids = left.json().devices.map((d: { device_id: string }) => d.device_id);
    assert.ok(!ids.includes('BULK1') && !ids.includes('BULK2'), JSON.stringify(ids));
    assert.ok(ids.includes(ann.deviceId));
  });

  it('a UIA session cannot be replayed for another device', async () => {
    await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'ann', password: ann.password, device_id: 'D1' } });
    await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'ann', password: ann.password, device_id: 'D2' } });
    const first = await s.request('DELETE', `${V3}/devices/D1`, { token: ann.accessToken });
    const replay = await s.request('DELETE', `${V3}/devices/D2`, {
      token: ann.accessToken,
      body: { auth: { type: 'm.login.password', session: first.json().session, user: ann.userId, password: ann.password } },
    });
    assert.equal(replay.statusCode, 403);
    assert.equal(replay.json().errcode, 'M_FORBIDDEN');
  });

  it('profile: get, set display name and avatar, 404 for unknown users, 403 for others', async () => {
    const prof = await s.request('GET', `${V3}/profile/${ann.userId}`);
    assert.equal(prof.statusCode, 200);
    assertSpecResponse(prof, 'GET', `${V3}/profile/${ann.userId}`);
    assert.deepEqual(prof.json(), { displayname: 'ann' });

    const set = await s.request('PUT', `${V3}/profile/${ann.userId}/displayname`, { token: ann.accessToken, body: { displayname: 'Ann A.' } });
    assert.equal(set.statusCode, 200);
    assertSpecResponse(set, 'PUT', `${V3}/profile/${ann.userId}/displayname`);
    const avatar = await s.request('PUT', `${V3}/profile/${ann.userId}/avatar_url`, { token: ann.accessToken, body: { avatar_url: 'mxc://hs.test/abc' } });
    assert.equal(avatar.statusCode, 200);
    const name = await s.request('GET', `${V3}/profile/${ann.userId}/displayname`);
    assert.deepEqual(name.json(), { displayname: 'Ann A.' });
    assertSpecResponse(name, 'GET', `${V3}/profile/${ann.userId}/displayname`);
    const url = await s.request('GET', `${V3}/profile/${encodeURIComponent(ann.userId)}/avatar_url`);
    assert.deepEqual(url.json(), { avatar_url: 'mxc://hs.test/abc' });

    const unknown = await s.request('GET', `${V3}/profile/@ghost:hs.test`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().errcode, 'M_NOT_FOUND');
    assertSpecResponse(unknown, 'GET', `${V3}/profile/@ghost:hs.test`);
    const invalid = await s.request('GET', `${V3}/profile/not-a-user`);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().errcode, 'M_INVALID_PARAM');

    const ben = await s.createUser('ben2');
    const other = await s.request('PUT', `${V3}/profile/${ann.userId}/displayname`, { token: ben.accessToken, body: { displayname: 'hijack' } });
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().errcode, 'M_FORBIDDEN');
    const wrongType = await s.request('PUT', `${V3}/profile/${ann.userId}/displayname`, { token: ann.accessToken, body: { displayname: 42 } });
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().errcode, 'M_BAD_JSON');
  });
}, describe);
