/** Request schemas of Synapse's admin API for accounts (docs/admin_api/user_admin_api.md). */
import { PROFILE_FIELD_MAX_LENGTH } from '../../services/accounts/profiles.js';
import { USER_ORDERS } from '../../services/admin/users.js';
import { NO_NUL } from './common.js';

export const ListUsersQuery = {
  type: 'object',
  properties: {
    from: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 0, default: 100 },
    name: { type: 'string', maxLength: 1024 },
    user_id: { type: 'string', maxLength: 1024 },
    guests: { type: 'boolean' },
    deactivated: { type: 'boolean', default: false },
    order_by: { type: 'string', enum: USER_ORDERS, default: 'name' },
    dir: { type: 'string', enum: ['f', 'b'], default: 'f' },
  },
} as const;

export const PutUserBody = {
  type: 'object',
  properties: {
    password: { type: 'string', maxLength: 512 },
    logout_devices: { type: 'boolean' },
    displayname: { type: 'string', maxLength: PROFILE_FIELD_MAX_LENGTH.displayname, pattern: NO_NUL },
    avatar_url: { type: 'string', maxLength: PROFILE_FIELD_MAX_LENGTH.avatar_url, pattern: NO_NUL },
    admin: { type: 'boolean' },
    deactivated: { type: 'boolean' },
    // Hearth keeps no third-party or external IDs: only an empty list (what synadm may send) is accepted.
    threepids: { type: 'array', maxItems: 0 },
    external_ids: { type: 'array', maxItems: 0 },
    user_type: { type: 'null' },
  },
} as const;

export const DeactivateBody = {
  type: ['object', 'null'],
  properties: { erase: { type: 'boolean' } },
} as const;

export const ResetPasswordBody = {
  type: 'object',
  required: ['new_password'],
  properties: { new_password: { type: 'string', maxLength: 512 }, logout_devices: { type: 'boolean' } },
} as const;

export const LoginAsBody = {
  type: ['object', 'null'],
  properties: { valid_until_ms: { type: ['integer', 'null'], minimum: 0 } },
} as const;

export const SetAdminBody = {
  type: 'object',
  required: ['admin'],
  properties: { admin: { type: 'boolean' } },
} as const;
