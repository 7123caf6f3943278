import Type from 'typebox';
import { MAX_WEBHOOK_URL_LENGTH } from '../../domain/webhook-target.js';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js';
import { requireScope } from '../auth.js';
import { noBody } from '../no-body.js';
import {
  Description,
  ErrorBody,
  Id,
  Nullable,
  OrgParam,
  OrgParams,
  SafeString,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventTypeSchema,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const WebhookEndpointParams = Type.Object(
  { org: OrgParam, id: Id('whe', 'Webhook endpoint id (whe_…)') },
  { additionalProperties: false },
);

const Url = SafeString({
  minLength: 1,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description: 'https:// (http:// and internal addresses only with LATCHKEY_WEBHOOKS_ALLOW_INSECURE=true)',
});
const EventTypes = Type.Array(WebhookEventTypeSchema, {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  description: 'The event types it receives (docs/webhooks.md)',
});

/** Webhook endpoints of an org (issue 16): list, add, change, remove, rotate the signing secret. */
export const webhookEndpointsRoutes: RouteModule = (app, ctx) => {
  const tags = ['webhooks'];
  app.get(
    '/api/v1/orgs/:org/webhook-endpoints',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:view' },
      schema: {
        tags,
        summary: "The org's webhook endpoints (never their secrets)",
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(WebhookEndpoint) }), ...orgErrors },
      },
    },
    async (request) => ({ items: await ctx.services.webhookEndpoints.list(requireScope(request)) }),
  );
  app.post(
    '/api/v1/orgs/:org/webhook-endpoints',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      schema: {
        tags,
        summary: 'Add a webhook endpoint; its signing secret is in this answer only',
        params: OrgParams,
        body: Type.Object(
          { url: Url, description: Type.Optional(Nullable(Description)), eventTypes: EventTypes },
          { additionalProperties: false },
        ),
        response: { 201: WebhookEndpointWithSecret, ...orgErrors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await ctx.services.webhookEndpoints.create(requireScope(request), request.body)),
  );
  app.get(
    '/api/v1/orgs/:org/webhook-endpoints/:id',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:view' },
      schema: {
        tags,
        summary: 'One webhook endpoint',
        params: WebhookEndpointParams,
        response: { 200: WebhookEndpoint, ...orgErrors },
      },
    },
    async (request) => ctx.services.webhookEndpoints.get(requireScope(request), request.params.id),
  );
  app.patch(
    '/api/v1/orgs/:org/webhook-endpoints/:id',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      schema: {
        tags,
        summary: 'Change its URL, description or event types; disable or enable it',
        params: WebhookEndpointParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            description: Type.Optional(Nullable(Description)),
            eventTypes: Type.Optional(EventTypes),
            enabled: Type.Optional(
              Type.Boolean({
                description: 'false: nothing is sent (deliveries wait); true: sending resumes',
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: WebhookEndpoint, ...orgErrors },
      },
    },
    async (request) =>
      ctx.services.webhookEndpoints.update(requireScope(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/orgs/:org/webhook-endpoints/:id',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      schema: {
        tags,
        summary: 'Remove a webhook endpoint (nothing more is sent to it)',
        params: WebhookEndpointParams,
        response: { 204: Type.Null(), ...orgErrors },
      },
    },
    async (request, reply) => {
      await ctx.services.webhookEndpoints.remove(requireScope(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/orgs/:org/webhook-endpoints/:id/rotate-secret',
    {
      config: { auth: 'any', permission: 'webhook_endpoints:edit' },
      preValidation: noBody.preValidation,
      schema: {
        tags,
        summary: 'A new signing secret, in this answer only; the old one also signs for 24 hours',
        params: WebhookEndpointParams,
        body: noBody.schema,
        response: { 200: WebhookEndpointWithSecret, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) => ctx.services.webhookEndpoints.rotateSecret(requireScope(request), request.params.id),
  );
};
