/** Request schemas of the accounts part of the Client-Server API, named after the spec's operations. */
import { PROFILE_FIELD_MAX_LENGTH } from '../../services/accounts/profiles.js';
import { NO_NUL } from './common.js';

export const RegisterBody = {
  type: ['object', 'null'],
  properties: {
    username: { type: 'string', maxLength: 4096 },
    password: { type: 'string', maxLength: 512 },
    device_id: { type: 'string', minLength: 1, maxLength: 255 },
    initial_device_display_name: { type: 'string', maxLength: 512, pattern: NO_NUL },
    inhibit_login: { type: 'boolean' },
    refresh_token: { type: 'boolean' },
    auth: { type: 'object' },
  },
} as const;

export const RegisterQuery = {
  type: 'object',
  properties: { kind: { type: 'string', enum: ['user', 'guest'], default: 'user' } },
} as const;

export const AvailableQuery = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string', maxLength: 255 } },
} as const;

export const TokenValidityQuery = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', maxLength: 1024 } },
} as const;

export const LoginBody = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    identifier: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string' }, user: { type: 'string', maxLength: 255 } },
    },
    user: { type: 'string', maxLength: 255 },
    password: { type: 'string', maxLength: 512 },
    device_id: { type: 'string', minLength: 1, maxLength: 255 },
    initial_device_display_name: { type: 'string', maxLength: 512, pattern: NO_NUL },
    refresh_token: { type: 'boolean' },
  },
} as const;

export const ChangePasswordBody = {
  type: 'object',
  required: ['new_password'],
  properties: {
    new_password: { type: 'string', minLength: 1, maxLength: 512 },
    logout_devices: { type: 'boolean', default: true },
    auth: { type: 'object' },
  },
} as const;

export const UpdateDeviceBody = {
  type: ['object', 'null'],
  properties: { display_name: { type: 'string', maxLength: 512, pattern: NO_NUL } },
} as const;

export const DeleteDeviceBody = {
  type: ['object', 'null'],
  properties: { auth: { type: 'object' } },
} as const;

export const DeleteDevicesBody = {
  type: 'object',
  required: ['devices'],
  properties: {
    devices: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 255 } },
    auth: { type: 'object' },
  },
} as const;

export const DisplaynameBody = {
  type: 'object',
  required: ['displayname'],
  properties: { displayname: { type: ['string', 'null'], maxLength: PROFILE_FIELD_MAX_LENGTH.displayname, pattern: NO_NUL } },
} as const;

export const AvatarUrlBody = {
  type: 'object',
  required: ['avatar_url'],
  properties: { avatar_url: { type: ['string', 'null'], maxLength: PROFILE_FIELD_MAX_LENGTH.avatar_url, pattern: NO_NUL } },
} as const;

export const RefreshBody = {
  type: 'object',
  required: ['refresh_token'],
  properties: { refresh_token: { type: 'string', maxLength: 1024 } },
} as const;
