/* global document, window, location, URLSearchParams */
// A minimal Hydrogen (hydrogen-view-sdk 0.3.1) client for the browser end-to-end test.
// Query string: ?hs=<homeserver URL>&user=<localpart or MXID>&password=<password>[&olm=1]
// It logs in through Hydrogen's own login flow (.well-known, GET /login, POST /login on r0),
// lets Hydrogen run its /sync long-poll loop, renders the joined rooms (Hydrogen's
// session.rooms observable map) as a list, and shows a room's timeline with Hydrogen's
// RoomViewModel + TimelineView when its list entry is clicked.
import {
  Client,
  FeatureSet,
  LoadStatus,
  Platform,
  RoomViewModel,
  TimelineView,
  createNavigation,
  createRouter,
  viewClassForTile,
} from 'hydrogen-view-sdk';
import 'hydrogen-view-sdk/theme-element-light.css';
import olmWasmPath from '@matrix-org/olm/olm.wasm?url';
import olmJsPath from '@matrix-org/olm/olm.js?url';
import olmLegacyJsPath from '@matrix-org/olm/olm_legacy.js?url';

const statusEl = document.getElementById('status');
const roomsEl = document.getElementById('rooms');
const timelineEl = document.getElementById('timeline');

function setStatus(status, detail = '') {
  statusEl.dataset.status = status;
  statusEl.textContent = detail ? `${status}: ${detail}` : status;
}

// Hydrogen's Client calls platform.updateService.updateAuthData() after login, but
// Platform only creates that service (its ServiceWorkerHandler) when a service worker path is
// given. The page runs without a service worker (it would proxy every GET, /sync included,
// and only matters for authenticated media), so it supplies an inert update service instead.
const inertUpdateService = { updateAuthData() {}, version: undefined, buildHash: undefined };
class PagePlatform extends Platform {
  get updateService() {
    return super.updateService ?? inertUpdateService;
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  const homeserver = params.get('hs');
  const user = params.get('user');
  const password = params.get('password');
  if (!homeserver || !user || !password) throw new Error('the query string needs hs, user and password');

  // Without olm asset paths Hydrogen runs without end-to-end encryption (no olm is loaded, no
  // device keys are uploaded). With olm=1 it loads olm (WebAssembly) like the Hydrogen web app
  // does, creates an identity for its device and uploads device and one-time keys.
  const withOlm = params.get('olm') === '1';
  const assetPaths = withOlm ? { olm: { wasm: olmWasmPath, wasmBundle: olmJsPath, legacyBundle: olmLegacyJsPath } } : {};
  const platform = new PagePlatform({
    container: document.getElementById('app'),
    assetPaths,
    config: {},
    options: { development: false },
  });
  const navigation = createNavigation();
  platform.setNavigation(navigation);
  await platform.init();
  const urlRouter = createRouter({ navigation, history: platform.history });
  urlRouter.attach();
  const features = await FeatureSet.load(platform.settingsStorage);

  const client = new Client(platform, features);
  window.hydrogenClient = client;
  setStatus('login');
  const loginOptions = await client.queryLogin(homeserver).result;
  if (!loginOptions.password) throw new Error(`${homeserver} offers no m.login.password flow`);
  // Not awaited: it resolves only once the session has started; loadStatus tells us when it is ready.
  void client.startWithLogin(loginOptions.password(user, password));
  const finalStatus = await client.loadStatus.waitFor((s) => s === LoadStatus.Ready || s === LoadStatus.Error || s === LoadStatus.LoginFailed).promise;
  if (client.loginFailure) throw new Error(`login failed: ${client.loginFailure} ${client.loadError?.message ?? ''}`);
  if (client.loadError) throw client.loadError;
  if (finalStatus !== LoadStatus.Ready) throw new Error(`load status ${finalStatus}`);

  const { session } = client;
  document.getElementById('user').textContent = session.userId;

  let openRoomId = null;
  let openRoom = null; // { vm, view }

  function closeRoom() {
    if (!openRoom) return;
    openRoom.view.unmount();
    openRoom.vm.dispose();
    timelineEl.replaceChildren();
    openRoom = null;
    openRoomId = null;
  }

  async function showRoom(room) {
    closeRoom();
    openRoomId = room.id;
    const vm = new RoomViewModel({ room, session, ownUserId: session.userId, platform, urlRouter, navigation, features });
    await vm.load();
    if (openRoomId !== room.id) {
      vm.dispose();
      return;
    }
    const view = new TimelineView(vm.timelineViewModel, viewClassForTile);
    timelineEl.replaceChildren(view.mount());
    timelineEl.dataset.roomId = room.id;
    openRoom = { vm, view };
  }

  function renderRooms() {
    const items = [];
    for (const room of session.rooms.values()) {
      const li = document.createElement('li');
      li.className = 'room';
      li.dataset.roomId = room.id;
      li.textContent = room.name ?? room.id;
      li.addEventListener('click', () => {
        showRoom(room).catch(fail);
      });
      items.push(li);
    }
    roomsEl.replaceChildren(...items);
    if (openRoomId && !session.rooms.get(openRoomId)) closeRoom();
  }
  // session.rooms is Hydrogen's ObservableMap of joined rooms, updated after every /sync.
  session.rooms.subscribe({ onAdd: renderRooms, onUpdate: renderRooms, onRemove: renderRooms, onReset: renderRooms });
  renderRooms();
  setStatus('ready');
}

function fail(err) {
  console.error(err);
  setStatus('error', err?.stack ?? String(err));
}

main().catch(fail);
