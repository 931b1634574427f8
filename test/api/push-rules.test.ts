import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3, R0 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const RULES = `${V3}/pushrules/global`;

type Rule = { rule_id: string; enabled: boolean; default: boolean; actions: unknown[]; pattern?: string; conditions?: unknown[] };

forEachBackend('push rules API', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, body?: unknown, user = alice) =>
    s.request(method, url, { token: user.accessToken, ...(body === undefined ? {} : { body }) });

  it('a pattern or condition key longer than 512 characters is 400 M_INVALID_PARAM and nothing is stored', async () => {
    const url = `${RULES}/content/toolong`;
    const long = await call('PUT', url, { pattern: 'a'.repeat(513), actions: ['notify'] });
    assertMatrixError(long, 400, 'M_INVALID_PARAM', 'PUT', url);
    assertMatrixError(await call('GET', url), 404, 'M_NOT_FOUND', 'GET', url);
    const fits = await call('PUT', url, { pattern: 'a'.repeat(512), actions: ['notify'] });
    assert.equal(fits.statusCode, 200, fits.body);
    assert.equal((await call('DELETE', url)).statusCode, 200);

    const overrideUrl = `${RULES}/override/toolong`;
    const condition = { kind: 'event_match', key: 'content.body', pattern: `*${'?'.repeat(512)}` };
    assertMatrixError(await call('PUT', overrideUrl, { conditions: [condition], actions: [] }), 400, 'M_INVALID_PARAM', 'PUT', overrideUrl);
    const manyConditions = Array.from({ length: 21 }, () => ({ kind: 'event_match', key: 'type', pattern: 'm.*' }));
    assertMatrixError(await call('PUT', overrideUrl, { conditions: manyConditions, actions: [] }), 400, 'M_INVALID_PARAM', 'PUT', overrideUrl);
    assertMatrixError(await call('GET', overrideUrl), 404, 'M_NOT_FOUND', 'GET', overrideUrl);
  });

  it('a user has at most 100 rules of their own: the 101st is 400 M_INVALID_PARAM, replacing one still works', async () => {
    const carol = await s.createUser('carol');
    for (let i = 0; i < 100; i++) {
      const res = await call('PUT', `${RULES}/content/k${i}`, { pattern: `word${i}`, actions: ['notify'] }, carol);
      assert.equal(res.statusCode, 200, res.body);
    }
    const url = `${RULES}/content/k100`;
    assertMatrixError(await call('PUT', url, { pattern: 'one more', actions: ['notify'] }, carol), 400, 'M_INVALID_PARAM', 'PUT', url);
    const replaced = await call('PUT', `${RULES}/content/k0`, { pattern: 'changed', actions: ['notify'] }, carol);
    assert.equal(replaced.statusCode, 200, replaced.body);
    const content = (await call('GET', `${V3}/pushrules/`, undefined, carol)).json().global.content as Rule[];
    assert.equal(content.length, 100);
    assert.equal(content.find((r) => r.rule_id === 'k0')?.pattern, 'changed');
  });

  it('GET /pushrules/ and /pushrules/global/ serve the defaults', async () => {
    const all = await call('GET', `${V3}/pushrules/`);
    assert.equal(all.statusCode, 200);
    assertSpecResponse(all, 'GET', `${V3}/pushrules/`);
    const global = all.json().global;
    assert.equal(global.override[0].rule_id, '.m.rule.master');
    assert.ok(global.underride.some((r: Rule) => r.rule_id === '.m.rule.message'));
    assert.deepEqual(global.content, []);

    const onlyGlobal = await call('GET', `${RULES}/`);
    assert.equal(onlyGlobal.statusCode, 200);
    assertSpecResponse(onlyGlobal, 'GET', `${RULES}/`);
    assert.deepEqual(onlyGlobal.json(), global);

    const r0 = await call('GET', `${R0}/pushrules/`);
    assert.equal(r0.statusCode, 200);
  });

  it('PUT creates a content rule; GET returns it; it is enabled and comes first', async () => {
    const url = `${RULES}/content/nocake`;
    const put = await call('PUT', url, { pattern: 'cake*lie', actions: ['notify'] });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), {});
    assertSpecResponse(put, 'PUT', url);

    const get = await call('GET', url);
    assert.equal(get.statusCode, 200);
    assertSpecResponse(get, 'GET', url);
    assert.deepEqual(get.json(), { rule_id: 'nocake', default: false, enabled: true, actions: ['notify'], pattern: 'cake*lie' });

    const all = (await call('GET', `${V3}/pushrules/`)).json();
    assert.equal(all.global.content[0].rule_id, 'nocake');
  });

  it('override rules keep their order: before/after name user rules; an unknown anchor is 400 M_UNKNOWN', async () => {
    const cond = [{ kind: 'event_match', key: 'type', pattern: 'm.room.message' }];
    assert.equal((await call('PUT', `${RULES}/override/one`, { conditions: cond, actions: [] })).statusCode, 200);
    assert.equal((await call('PUT', `${RULES}/override/two`, { conditions: cond, actions: [] })).statusCode, 200);
    assert.equal((await call('PUT', `${RULES}/override/three?after=one`, { conditions: cond, actions: [] })).statusCode, 200);
    const overrides = (await call('GET', `${RULES}/`)).json().override.map((r: Rule) => r.rule_id);
    // Master first, then user rules (newest first unless placed), then the other defaults.
    assert.deepEqual(overrides.slice(0, 4), ['.m.rule.master', 'two', 'one', 'three']);

    const url = `${RULES}/override/four?before=nosuchrule`;
    const bad = await call('PUT', url, { conditions: cond, actions: [] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errcode, 'M_UNKNOWN');
    assertSpecResponse(bad, 'PUT', url);
  });

  it('enabled: GET and PUT, for user rules and for server defaults', async () => {
    const url = `${RULES}/content/nocake/enabled`;
    const get = await call('GET', url);
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { enabled: true });
    assertSpecResponse(get, 'GET', url);
    const put = await call('PUT', url, { enabled: false });
    assert.equal(put.statusCode, 200);
    assertSpecResponse(put, 'PUT', url);
    assert.deepEqual((await call('GET', url)).json(), { enabled: false });

    const master = `${RULES}/override/.m.rule.master/enabled`;
    assert.deepEqual((await call('GET', master)).json(), { enabled: false });
    assert.equal((await call('PUT', master, { enabled: true })).statusCode, 200);
    assert.deepEqual((await call('GET', master)).json(), { enabled: true });
    const rule = (await call('GET', `${RULES}/override/.m.rule.master`)).json();
    assert.equal(rule.default, true);
    assert.equal(rule.enabled, true);
    // Another user's defaults are untouched.
    assert.deepEqual((await call('GET', master, undefined, bob)).json(), { enabled: false });
  });

  it('actions: GET and PUT, for user rules and for server defaults', async () => {
    const url = `${RULES}/underride/.m.rule.message/actions`;
    const get = await call('GET', url);
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { actions: ['notify'] });
    assertSpecResponse(get, 'GET', url);
    const actions = ['notify', { set_tweak: 'sound', value: 'default' }];
    const put = await call('PUT', url, { actions });
    assert.equal(put.statusCode, 200);
    assertSpecResponse(put, 'PUT', url);
    assert.deepEqual((await call('GET', url)).json(), { actions });
  });

  it('updating a rule keeps its enabled state and place', async () => {
    assert.equal((await call('PUT', `${RULES}/content/nocake`, { pattern: 'pie', actions: [] })).statusCode, 200);
    const rule = (await call('GET', `${RULES}/content/nocake`)).json();
    assert.equal(rule.pattern, 'pie');
    assert.equal(rule.enabled, false);
  });

  it('DELETE removes a user rule; then it is 404 M_NOT_FOUND', async () => {
    const url = `${RULES}/content/nocake`;
    const del = await call('DELETE', url);
    assert.equal(del.statusCode, 200);
    assert.deepEqual(del.json(), {});
    assertSpecResponse(del, 'DELETE', url);
    for (const [method, path] of [['GET', url], ['DELETE', url], ['GET', `${url}/enabled`], ['GET', `${url}/actions`]] as const) {
      const res = await call(method, path);
      assert.equal(res.statusCode, 404, `${method} ${path}`);
      assert.equal(res.json().errcode, 'M_NOT_FOUND');
      assertSpecResponse(res, method, path);
    }
    const enable = await call('PUT', `${url}/enabled`, { enabled: true });
    assert.equal(enable.statusCode, 404);
    assertSpecResponse(enable, 'PUT', `${url}/enabled`);
    const actions = await call('PUT', `${url}/actions`, { actions: [] });
    assert.equal(actions.statusCode, 404);
    assertSpecResponse(actions, 'PUT', `${url}/actions`);
  });

  it('server-default rules cannot be deleted or replaced', async () => {
    const del = await call('DELETE', `${RULES}/override/.m.rule.master`);
    assert.equal(del.statusCode, 404);
    assert.equal(del.json().errcode, 'M_NOT_FOUND');
    const put = await call('PUT', `${RULES}/override/.m.rule.master`, { actions: [] });
    assert.equal(put.statusCode, 400);
    assert.equal(put.json().errcode, 'M_INVALID_PARAM');
  });

  it('bad bodies and parameters', async () => {
    const missingActions = await call('PUT', `${RULES}/room/${encodeURIComponent('!room:hs.test')}`, {});
    assert.equal(missingActions.statusCode, 400);
    assert.equal(missingActions.json().errcode, 'M_MISSING_PARAM');
    const badAction = await call('PUT', `${RULES}/room/${encodeURIComponent('!room:hs.test')}`, { actions: [42] });
    assert.equal(badAction.statusCode, 400);
    assert.equal(badAction.json().errcode, 'M_BAD_JSON');
    const notARoom = await call('PUT', `${RULES}/room/notaroom`, { actions: [] });
    assert.equal(notARoom.statusCode, 400);
    assert.equal(notARoom.json().errcode, 'M_INVALID_PARAM');
    const noPattern = await call('PUT', `${RULES}/content/x`, { actions: [] });
    assert.equal(noPattern.statusCode, 400);
    assert.equal(noPattern.json().errcode, 'M_MISSING_PARAM');
    const badEnabled = await call('PUT', `${RULES}/override/.m.rule.master/enabled`, { enabled: 'yes' });
    assert.equal(badEnabled.statusCode, 400);
    assert.equal(badEnabled.json().errcode, 'M_BAD_JSON');
    const badKind = await call('GET', `${RULES}/sideways/x`);
    assert.equal(badKind.statusCode, 400);
    assert.equal(badKind.json().errcode, 'M_INVALID_PARAM');
    const slash = await call('PUT', `${RULES}/override/${encodeURIComponent('a/b')}`, { actions: [] });
    assert.equal(slash.statusCode, 400);
    assert.equal(slash.json().errcode, 'M_INVALID_PARAM');
  });

  it('a room rule for a room and a sender rule for a user', async () => {
    const roomUrl = `${RULES}/room/${encodeURIComponent('!room:hs.test')}`;
    assert.equal((await call('PUT', roomUrl, { actions: ['notify'] })).statusCode, 200);
    const room = await call('GET', roomUrl);
    assert.deepEqual(room.json(), { rule_id: '!room:hs.test', default: false, enabled: true, actions: ['notify'] });
    assertSpecResponse(room, 'GET', roomUrl);
    const senderUrl = `${RULES}/sender/${encodeURIComponent(bob.userId)}`;
    assert.equal((await call('PUT', senderUrl, { actions: [] })).statusCode, 200);
    assert.equal((await call('GET', senderUrl)).json().rule_id, bob.userId);
  });

  it('changes reach /sync as m.push_rules account data, announced to the user', async () => {
    const waiting = s.app.services.notifier.wait((c) => c.userIds?.includes(alice.userId) ?? false, 5000);
    const before = await s.app.store.counters.current('account_data');
    assert.equal((await call('PUT', `${RULES}/override/.m.rule.suppress_notices/enabled`, { enabled: false })).statusCode, 200);
    const change = await waiting;
    assert.ok(change);
    const changes = await s.app.services.accountData.changes(alice.userId, before);
    const pushRules = changes.global.find((e) => e.type === 'm.push_rules');
    assert.ok(pushRules);
    const rule = (pushRules.content as { global: { override: Rule[] } }).global.override.find((r) => r.rule_id === '.m.rule.suppress_notices');
    assert.equal(rule?.enabled, false);
    // A failed change takes no position and announces nothing.
    const pos = await s.app.store.counters.current('account_data');
    assert.equal((await call('DELETE', `${RULES}/override/nosuchrule`)).statusCode, 404);
    assert.equal(await s.app.store.counters.current('account_data'), pos);
  });

  it('needs an access token', async () => {
    const res = await s.request('GET', `${V3}/pushrules/`);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errcode, 'M_MISSING_TOKEN');
  });
}, describe);
