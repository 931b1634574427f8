import type { FastifyInstance } from 'fastify';
import { invalidParam } from '../../core/errors.js';
import { isPushRuleKind, type PushRuleKind } from '../../core/push-rules/types.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { PushRuleBody, PushRuleParams, SetPushRuleQuery } from '../schemas/user-data.js';

type RuleRoute = { Params: { kind: string; ruleId: string } };

function kindParam(raw: string): PushRuleKind {
  if (!isPushRuleKind(raw)) throw invalidParam(`Unknown push rule kind ${raw}`);
  return raw;
}

/** The push rule API; `global` is the only scope. */
export async function pushRuleRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const params = PushRuleParams;
  const rule = '/pushrules/global/:kind/:ruleId';

  app.get('/pushrules/', { config: auth }, async (req) => services.pushRules.all(requesterOf(req).userId));
  app.get('/pushrules/global/', { config: auth }, async (req) => services.pushRules.ruleset(requesterOf(req).userId));

  app.get<RuleRoute>(rule, { schema: { params }, config: auth }, async (req) =>
    services.pushRules.rule(requesterOf(req), kindParam(req.params.kind), req.params.ruleId));

  app.put<RuleRoute & { Body: unknown; Querystring: { before?: string; after?: string } }>(rule,
    { schema: { params, body: PushRuleBody, querystring: SetPushRuleQuery }, config: auth },
    async (req) => {
      const { before, after } = req.query;
      await services.pushRules.put(requesterOf(req), kindParam(req.params.kind), req.params.ruleId, req.body, { before, after });
      return {};
    });

  app.delete<RuleRoute>(rule, { schema: { params }, config: auth }, async (req) => {
    await services.pushRules.delete(requesterOf(req), kindParam(req.params.kind), req.params.ruleId);
    return {};
  });

  app.get<RuleRoute>(`${rule}/enabled`, { schema: { params }, config: auth }, async (req) =>
    services.pushRules.enabled(requesterOf(req), kindParam(req.params.kind), req.params.ruleId));

  app.put<RuleRoute & { Body: unknown }>(`${rule}/enabled`, { schema: { params, body: PushRuleBody }, config: auth }, async (req) => {
    await services.pushRules.setEnabled(requesterOf(req), kindParam(req.params.kind), req.params.ruleId, req.body);
    return {};
  });

  app.get<RuleRoute>(`${rule}/actions`, { schema: { params }, config: auth }, async (req) =>
    services.pushRules.actions(requesterOf(req), kindParam(req.params.kind), req.params.ruleId));

  app.put<RuleRoute & { Body: unknown }>(`${rule}/actions`, { schema: { params, body: PushRuleBody }, config: auth }, async (req) => {
    await services.pushRules.setActions(requesterOf(req), kindParam(req.params.kind), req.params.ruleId, req.body);
    return {};
  });
}
