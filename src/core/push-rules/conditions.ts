/**
 * The push rule conditions of spec v1.19 ("Conditions"). A condition of an unknown kind, or a
 * known one missing its parameters, never matches: that disables its rule, as the spec requires.
 */
import { globMatches, type GlobBudget } from './glob.js';
import { propertyAt } from '../property-path.js';
import type { PushCondition, PushEvent } from './types.js';

/** What evaluation needs to know about the recipient and the room, beyond the event. */
export interface PushContext {
  /** The user whose rules these are. */
  readonly userId: string;
  /** Their display name in the room (`contains_display_name`, deprecated since v1.17). */
  readonly displayName?: string | undefined;
  /** Joined members of the room, for `room_member_count`. */
  readonly roomMemberCount: number;
  /** The room's current `m.room.power_levels` content, as numbers. */
  readonly powerLevels: {
    readonly notifications?: Readonly<Record<string, number>>;
    readonly users?: Readonly<Record<string, number>>;
    readonly users_default?: number;
  };
  /**
   * The sender's power level. When absent it is read from `powerLevels` (`users`, else
   * `users_default`, else 0); pass it when the room version gives creators their own level.
   */
  readonly senderPowerLevel?: number | undefined;
}

/** The level `notifications` falls back to for a key it does not list (the spec's default for `room`). */
const DEFAULT_NOTIFICATION_LEVEL = 50;
const MEMBER_COUNT = /^(==|<=|>=|<|>)?([0-9]+)$/;

/** `budget`: the glob work this evaluation still allows (glob.ts); without one, unlimited. */
export function conditionMatches(condition: PushCondition, event: PushEvent, ctx: PushContext, budget?: GlobBudget): boolean {
  switch (condition.kind) {
    case 'event_match':
      return eventMatch(condition, event, budget);
    case 'event_property_is': {
      if (typeof condition.key !== 'string' || !isScalar(condition.value)) return false;
      const found = propertyAt(event, condition.key);
      return isScalar(found) && found === condition.value;
    }
    case 'event_property_contains': {
      if (typeof condition.key !== 'string' || !isScalar(condition.value)) return false;
      const found = propertyAt(event, condition.key);
      return Array.isArray(found) && found.some((item) => isScalar(item) && item === condition.value);
    }
    case 'contains_display_name':
      return containsDisplayName(event, ctx.displayName, budget);
    case 'room_member_count':
      return typeof condition.is === 'string' && memberCountMatches(condition.is, ctx.roomMemberCount);
    case 'sender_notification_permission':
      return typeof condition.key === 'string' && senderMayNotify(condition.key, event.sender, ctx);
    default:
      return false;
  }
}

/**
 * A glob on a string property: the whole value, except that `content.body` matches any
 * word-bounded substring. Absent and non-string properties never match, even `*`.
 */
function eventMatch(condition: PushCondition, event: PushEvent, budget: GlobBudget | undefined): boolean {
  if (typeof condition.key !== 'string' || typeof condition.pattern !== 'string') return false;
  const found = propertyAt(event, condition.key);
  if (typeof found !== 'string') return false;
  return globMatches(condition.pattern, found, { wordBoundary: condition.key === 'content.body', ...(budget && { budget }) });
}

/** The content rule test: `pattern` against a word-bounded substring of `content.body`. */
export function bodyMatches(pattern: string, event: PushEvent, budget?: GlobBudget): boolean {
  const body = propertyAt(event, 'content.body');
  return typeof body === 'string' && globMatches(pattern, body, { wordBoundary: true, ...(budget && { budget }) });
}

function containsDisplayName(event: PushEvent, displayName: string | undefined, budget: GlobBudget | undefined): boolean {
  if (displayName === undefined || displayName === '') return false;
  const body = propertyAt(event, 'content.body');
  return typeof body === 'string' && globMatches(displayName, body, { wordBoundary: true, literal: true, ...(budget && { budget }) });
}

/** Canonical-JSON scalars: strings, booleans, null and integers in [-(2^53)+1, 2^53-1]. */
function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

/** `is`: a decimal integer with an optional `==`, `<`, `>`, `<=` or `>=` prefix (default `==`). */
export function memberCountMatches(is: string, count: number): boolean {
  const parsed = MEMBER_COUNT.exec(is);
  if (!parsed) return false;
  const target = Number(parsed[2]);
  switch (parsed[1]) {
    case '<':
      return count < target;
    case '>':
      return count > target;
    case '<=':
      return count <= target;
    case '>=':
      return count >= target;
    default:
      return count === target;
  }
}

function senderMayNotify(key: string, sender: string, ctx: PushContext): boolean {
  const levels = ctx.powerLevels;
  const required = ownNumber(levels.notifications, key) ?? DEFAULT_NOTIFICATION_LEVEL;
  const senderLevel = ctx.senderPowerLevel ?? ownNumber(levels.users, sender) ?? levels.users_default ?? 0;
  return senderLevel >= required;
}

function ownNumber(record: Readonly<Record<string, number>> | undefined, key: string): number | undefined {
  if (record === undefined || !Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  return typeof value === 'number' ? value : undefined;
}
