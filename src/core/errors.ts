/**
 * The one table of Matrix error codes. No other file spells an `M_*` errcode:
 * services throw through the helpers below, the HTTP layer only serialises.
 */
export const ErrCode = {
  forbidden: 'M_FORBIDDEN',
  unknownToken: 'M_UNKNOWN_TOKEN',
  missingToken: 'M_MISSING_TOKEN',
  badJson: 'M_BAD_JSON',
  notJson: 'M_NOT_JSON',
  notFound: 'M_NOT_FOUND',
  limitExceeded: 'M_LIMIT_EXCEEDED',
  unrecognized: 'M_UNRECOGNIZED',
  unknown: 'M_UNKNOWN',
  userInUse: 'M_USER_IN_USE',
  invalidUsername: 'M_INVALID_USERNAME',
  roomInUse: 'M_ROOM_IN_USE',
  invalidRoomState: 'M_INVALID_ROOM_STATE',
  unsupportedRoomVersion: 'M_UNSUPPORTED_ROOM_VERSION',
  incompatibleRoomVersion: 'M_INCOMPATIBLE_ROOM_VERSION',
  missingParam: 'M_MISSING_PARAM',
  invalidParam: 'M_INVALID_PARAM',
  tooLarge: 'M_TOO_LARGE',
  userDeactivated: 'M_USER_DEACTIVATED',
  userLocked: 'M_USER_LOCKED',
  userSuspended: 'M_USER_SUSPENDED',
  guestAccessForbidden: 'M_GUEST_ACCESS_FORBIDDEN',
  weakPassword: 'M_WEAK_PASSWORD',
  exclusive: 'M_EXCLUSIVE',
  threepidDenied: 'M_THREEPID_DENIED',
  threepidMediumNotSupported: 'M_THREEPID_MEDIUM_NOT_SUPPORTED',
  threepidAuthFailed: 'M_THREEPID_AUTH_FAILED',
  serverNotTrusted: 'M_SERVER_NOT_TRUSTED',
  unauthorized: 'M_UNAUTHORIZED',
  invalidSignature: 'M_INVALID_SIGNATURE',
  badAlias: 'M_BAD_ALIAS',
  userLimitExceeded: 'M_USER_LIMIT_EXCEEDED',
  wrongRoomKeysVersion: 'M_WRONG_ROOM_KEYS_VERSION',
  notYetUploaded: 'M_NOT_YET_UPLOADED',
  cannotOverwriteMedia: 'M_CANNOT_OVERWRITE_MEDIA',
} as const;

export type ErrCodeValue = (typeof ErrCode)[keyof typeof ErrCode];

/** A client-facing error: an HTTP status, a Matrix errcode, a message, and optional extra body fields. */
export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: ErrCodeValue;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    errcode: ErrCodeValue,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
    this.headers = headers;
  }

  toBody(): Record<string, unknown> {
    return { ...this.extra, errcode: this.errcode, error: this.message };
  }
}

export const forbidden = (message: string): MatrixError => new MatrixError(403, ErrCode.forbidden, message);
/** A server-server request whose X-Matrix authorization is missing or does not verify. */
export const unauthorized = (message: string): MatrixError => new MatrixError(401, ErrCode.unauthorized, message);

/**
 * The auth rules refused an event (403 M_FORBIDDEN to the client). Services that must answer
 * otherwise (a damaged room on leave, invalid initial state on createRoom) catch it by this type.
 */
export class AuthRejected extends MatrixError {
  constructor(reason: string) {
    super(403, ErrCode.forbidden, reason);
    this.name = 'AuthRejected';
  }
}

/** The user may not read the room at all (403 M_FORBIDDEN): callers that hide the room catch it by type. */
export class ReadDenied extends MatrixError {
  constructor(message: string) {
    super(403, ErrCode.forbidden, message);
    this.name = 'ReadDenied';
  }
}
/**
 * An event built on a room's head reached the room after another event: rooms are one line of
 * events (no DAG yet), so it cannot be stored. 409: rebuilding it on the new head (a new
 * `make_leave`, or a retried invite) succeeds.
 */
export class RoomMovedOn extends MatrixError {
  constructor(message: string) {
    super(409, ErrCode.unknown, message);
    this.name = 'RoomMovedOn';
  }
}
export const notFound = (message: string): MatrixError => new MatrixError(404, ErrCode.notFound, message);
export const badJson = (message: string): MatrixError => new MatrixError(400, ErrCode.badJson, message);
export const notJson = (message: string): MatrixError => new MatrixError(400, ErrCode.notJson, message);
export const missingParam = (message: string): MatrixError => new MatrixError(400, ErrCode.missingParam, message);
export const invalidParam = (message: string): MatrixError => new MatrixError(400, ErrCode.invalidParam, message);
export const unknownError = (status: number, message: string): MatrixError =>
  new MatrixError(status, ErrCode.unknown, message);
export const unrecognized = (status: number, message: string): MatrixError =>
  new MatrixError(status, ErrCode.unrecognized, message);
export const tooLarge = (message: string): MatrixError => new MatrixError(413, ErrCode.tooLarge, message);
export const missingToken = (): MatrixError => new MatrixError(401, ErrCode.missingToken, 'Missing access token');
/** `softLogout`: the token expired, and the client may refresh it or log in again keeping its data. */
export const unknownToken = (softLogout = false): MatrixError =>
  new MatrixError(401, ErrCode.unknownToken, 'Unknown or expired access token', { soft_logout: softLogout });
export const userInUse = (): MatrixError => new MatrixError(400, ErrCode.userInUse, 'User ID already taken');
export const invalidUsername = (message: string): MatrixError =>
  new MatrixError(400, ErrCode.invalidUsername, message);
export const userDeactivated = (): MatrixError =>
  new MatrixError(403, ErrCode.userDeactivated, 'This account has been deactivated');
/** Spec: a locked account's requests fail with 401 and `soft_logout: true` (the client keeps its session for when it is unlocked). */
export const userLocked = (): MatrixError =>
  new MatrixError(401, ErrCode.userLocked, 'This account has been locked', { soft_logout: true });
export const userSuspended = (): MatrixError =>
  new MatrixError(403, ErrCode.userSuspended, 'This account is suspended and cannot do this');
export const guestAccessForbidden = (): MatrixError =>
  new MatrixError(403, ErrCode.guestAccessForbidden, 'Guest access is not enabled on this server');
export const unsupportedRoomVersion = (version: string): MatrixError =>
  new MatrixError(400, ErrCode.unsupportedRoomVersion, `Room version ${JSON.stringify(version)} is not supported`);
/** A room version this server cannot take part in (federation invites and joins), naming it. */
export const incompatibleRoomVersion = (version: string): MatrixError =>
  new MatrixError(400, ErrCode.incompatibleRoomVersion, 'This server does not support the room version', { room_version: version });
export const roomInUse = (message: string): MatrixError => new MatrixError(400, ErrCode.roomInUse, message);
/** Hearth keeps no third-party identifiers: it sends no mail or SMS and trusts no identity server. */
export const threepidMediumNotSupported = (message: string): MatrixError => new MatrixError(400, ErrCode.threepidMediumNotSupported, message);
export const threepidAuthFailed = (message: string): MatrixError => new MatrixError(400, ErrCode.threepidAuthFailed, message);
export const badAlias = (message: string): MatrixError => new MatrixError(400, ErrCode.badAlias, message);
export const invalidSignature = (message: string): MatrixError => new MatrixError(400, ErrCode.invalidSignature, message);
export const weakPassword = (message: string): MatrixError => new MatrixError(400, ErrCode.weakPassword, message);

/** A key backup write to a version that is not the user's current one; the reply names the current one. */
export const wrongRoomKeysVersion = (currentVersion: string): MatrixError =>
  new MatrixError(403, ErrCode.wrongRoomKeysVersion, 'Wrong backup version', { current_version: currentVersion });

/** Media created with /create whose content has not arrived within the wait the client allowed (504). */
export const notYetUploaded = (): MatrixError => new MatrixError(504, ErrCode.notYetUploaded, 'Content has not yet been uploaded');
/** A second upload to a media ID that has content already. */
export const cannotOverwriteMedia = (): MatrixError => new MatrixError(409, ErrCode.cannotOverwriteMedia, 'Media already uploaded');

/** A quota that only the other side can free (a recipient's queue): 429 with no retry time to promise. */
export const queueFull = (message: string): MatrixError => new MatrixError(429, ErrCode.limitExceeded, message);

/**
 * A per-account quota is reached (spec v1.18+: `M_USER_LIMIT_EXCEEDED`, whose body MUST carry
 * `info_uri`). 403: retrying does not help until the user frees something; the limit is a hard one.
 */
export const userLimitExceeded = (message: string, infoUri: string): MatrixError =>
  new MatrixError(403, ErrCode.userLimitExceeded, message, { info_uri: infoUri });

/** More invitees in one request than the invite limiter's burst: waiting would never help. */
export const tooManyInvites = (max: number): MatrixError =>
  new MatrixError(429, ErrCode.limitExceeded, `At most ${max} users may be invited at once`);

export function limitExceeded(retryAfterMs: number): MatrixError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return new MatrixError(
    429,
    ErrCode.limitExceeded,
    'Too many requests',
    { retry_after_ms: ms },
    { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) },
  );
}

/**
 * User-interactive auth: a 401 carrying `flows`, `params`, `session` and `completed`.
 * `errcode`/`error` appear in the body only when a submitted stage failed.
 */
export class UiaRequired extends MatrixError {
  readonly stageFailed: boolean;

  constructor(body: Record<string, unknown>, failure?: { errcode: ErrCodeValue; error: string }) {
    super(401, failure?.errcode ?? ErrCode.unauthorized, failure?.error ?? 'Additional authentication is required', body);
    this.stageFailed = failure !== undefined;
  }

  override toBody(): Record<string, unknown> {
    return this.stageFailed ? super.toBody() : { ...this.extra };
  }
}
