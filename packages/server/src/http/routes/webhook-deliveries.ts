import Type from 'typebox';
import { webhookDeliveryView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { noBody } from '../no-body.js';
import { ErrorBody, Id, OrgParam, WebhookAttempt, WebhookDelivery, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { WebhookEndpointParams } from './webhook-endpoints.js';

const DeliveryParams = Type.Object(
  { org: OrgParam, id: Id('whe'), deliveryId: Id('whd', 'Delivery id (whd_…)') },
  { additionalProperties: false },
);

/** An endpoint's delivery log (status, latency, answer code; never the secret), re-send, test event. */
export const webhookDeliveriesRoutes: RouteModule = (app, ctx) => {
  const tags = ['webhooks'];
  app.get(
    '/api/v1/orgs/:org/webhook-endpoints/:id/deliveries',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:view' },
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first",
        params: WebhookEndpointParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Default 50' })),
            cursor: Type.Optional(Id('whd', 'The `nextCursor` of the previous page')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(WebhookDelivery),
            nextCursor: Type.Union([Type.String(), Type.Null()], {
              description: 'Pass as `cursor` for the next page; null on the last',
            }),
          }),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      const rows = await ctx.services.webhookEndpoints.deliveries(
        requireScope(request),
        request.params.id,
        limit + 1,
        cursor,
      );
      const page = rows.slice(0, limit);
      return {
        items: page.map(webhookDeliveryView),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },
  );
  app.get(
    '/api/v1/orgs/:org/webhook-endpoints/:id/deliveries/:deliveryId',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:view' },
      schema: {
        tags,
        summary: 'One delivery: the body sent and every attempt',
        params: DeliveryParams,
        response: {
          200: Type.Intersect([
            WebhookDelivery,
            Type.Object({ payload: Type.Unknown(), attemptLog: Type.Array(WebhookAttempt) }),
          ]),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const { delivery, attempts, payload } = await ctx.services.webhookEndpoints.delivery(
        requireScope(request),
        request.params.id,
        request.params.deliveryId,
      );
      return {
        ...webhookDeliveryView(delivery),
        payload,
        attemptLog: attempts.map((a) => ({
          ...a,
          statusCode: a.statusCode === null ? null : Number(a.statusCode),
          latencyMs: Number(a.latencyMs),
        })),
      };
    },
  );
  app.post(
    '/api/v1/orgs/:org/webhook-endpoints/:id/deliveries/:deliveryId/resend',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      preValidation: noBody.preValidation,
      schema: {
        tags,
        summary: 'Send a delivery again (same event id), from the start of the retry schedule',
        params: DeliveryParams,
        body: noBody.schema,
        response: { 200: WebhookDelivery, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) =>
      webhookDeliveryView(
        await ctx.services.webhookEndpoints.resend(
          requireScope(request),
          request.params.id,
          request.params.deliveryId,
        ),
      ),
  );
  app.post(
    '/api/v1/orgs/:org/webhook-endpoints/:id/test',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      preValidation: noBody.preValidation,
      schema: {
        tags,
        summary: 'Send a `webhook.test` event to this endpoint',
        params: WebhookEndpointParams,
        body: noBody.schema,
        response: { 202: WebhookDelivery, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          webhookDeliveryView(
            await ctx.services.webhookEndpoints.sendTest(requireScope(request), request.params.id),
          ),
        ),
  );
};
