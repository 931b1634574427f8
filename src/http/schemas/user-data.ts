/** Request schemas of account data, filters and push rules, named after the spec's operations. */

/** setAccountData / setAccountDataPerRoom: any JSON object. */
export const SetAccountDataBody = { type: 'object' } as const;

/** defineFilter: the whole filter is checked by the service (parseFilter names the bad field). */
export const DefineFilterBody = { type: 'object' } as const;

/** setPushRule, setPushRuleEnabled, setPushRuleActions: bodies are checked by core/push-rules/validate.ts. */
export const PushRuleBody = { type: 'object' } as const;

export const PushRuleParams = {
  type: 'object',
  required: ['kind', 'ruleId'],
  properties: { kind: { type: 'string', maxLength: 32 }, ruleId: { type: 'string', maxLength: 2048 } },
} as const;

export const SetPushRuleQuery = {
  type: 'object',
  properties: { before: { type: 'string', maxLength: 2048 }, after: { type: 'string', maxLength: 2048 } },
} as const;

/** `PUT /user/{userId}/rooms/{roomId}/tags/{tag}` (tags.yaml). */
export const TagBody = { type: 'object', properties: { order: { type: 'number', minimum: 0, maximum: 1 } } } as const;
