import { Command, InvalidArgumentError, Option } from 'commander';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run, UsageError } from '../remote/remote-command.js';
import {
  inOrg,
  type WebhookDelivery as Delivery,
  type WebhookEndpoint as Endpoint,
  type WebhookEventType,
} from '../remote/types.js';

/**
 * The event types an endpoint can subscribe to. The server's own list, checked here against the API
 * contract both ways: a type added to or removed from one and not the other stops the CLI compiling.
 */
const EVENT_TYPES: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES;
type Unlisted = Exclude<WebhookEventType, (typeof WEBHOOK_EVENT_TYPES)[number]>;
const _everyTypeListed: [Unlisted] extends [never] ? true : never = true;

/**
 * `--events`: comma-separated event types; `all` for every one, `token.*` for every type of a resource.
 * An unknown type is a usage error (exit 2), like any other bad option value.
 */
function eventsArg(text: string): WebhookEventType[] {
  const chosen = new Set<WebhookEventType>();
  for (const word of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (word === 'all' || word === '*') {
      EVENT_TYPES.forEach((t) => chosen.add(t));
      continue;
    }
    const matching = word.endsWith('.*')
      ? EVENT_TYPES.filter((t) => t.startsWith(word.slice(0, -1)))
      : EVENT_TYPES.filter((t) => t === word);
    if (matching.length === 0)
      throw new InvalidArgumentError(
        `"${word}" is not an event type (see --help for the list; "all" means every one)`,
      );
    matching.forEach((t) => chosen.add(t));
  }
  if (chosen.size === 0) throw new InvalidArgumentError('give at least one event type, or "all"');
  return EVENT_TYPES.filter((t) => chosen.has(t));
}

function limitArg(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 200)
    throw new InvalidArgumentError('a whole number from 1 to 200');
  return n;
}

/** The event types, a few to a line, for --help. */
function eventTypesHelp(): string {
  const lines: string[] = [];
  let line = ' ';
  for (const t of EVENT_TYPES) {
    if (line.length + t.length + 1 > 100) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${t}`;
  }
  lines.push(line);
  return `\nEvent types (--events a,b,c; "all" for every one, "token.*" (quoted) for every token event):\n${lines.join('\n')}\n`;
}

const eventsColumn = (e: Endpoint) =>
  e.eventTypes.length === EVENT_TYPES.length ? `all (${e.eventTypes.length})` : e.eventTypes;

const columns: [string, (e: Endpoint) => unknown][] = [
  ['id', (e) => e.id],
  ['url', (e) => e.url],
  ['status', (e) => (e.disabledReason ? `${e.status} (${e.disabledReason})` : e.status)],
  ['events', eventsColumn],
  ['description', (e) => e.description],
  ['failing since', (e) => e.failingSince],
  ['created', (e) => e.createdAt],
];

const deliveryColumns: [string, (d: Delivery) => unknown][] = [
  ['id', (d) => d.id],
  ['event', (d) => d.eventType],
  ['status', (d) => d.status],
  ['attempts', (d) => d.attempts],
  ['last result', (d) => d.lastStatusCode ?? d.lastError],
  ['last attempt', (d) => d.lastAttemptAt],
  ['next attempt', (d) => d.nextAttemptAt],
  ['created', (d) => d.createdAt],
];

const SECRET_NOTE =
  'Store it now: it will not be shown again. Receivers check the webhook-signature header with it (Standard Webhooks).';

const endpointPath = (r: { org: string }, id: string) => ({ params: { path: { org: r.org, id } } });
const deliveryPath = (r: { org: string }, id: string, deliveryId: string) => ({
  params: { path: { org: r.org, id, deliveryId } },
});

export function webhookCommand(): Command {
  const webhook = new Command('webhook')
    .description('Webhook endpoints: where Latchkey sends signed events about changes in the org')
    .exitOverride();
  webhook.addCommand(
    remoteCommand('list', 'List webhook endpoints (never their secrets)')
      .addHelpText('after', '\nExample:\n  latchkey webhook list --org acme --json')
      .action(
        run(async (r, o) => {
          const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/webhook-endpoints', inOrg(r.org)));
          printOut(!!o.json, items, () => printTable(items, columns));
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand('show', 'Show one webhook endpoint (never its secret)')
      .argument('<endpoint-id>', 'whe_…')
      .action(
        run(async (r, o, id: string) => {
          const e = await r.call(r.api.GET('/api/v1/orgs/{org}/webhook-endpoints/{id}', endpointPath(r, id)));
          printOut(!!o.json, e, () => printTable([e], columns));
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand(
      'create',
      'Add a webhook endpoint; prints its signing secret (whsec_…, shown only this once)',
    )
      .argument('<endpoint-url>', 'where events are POSTed: https://… (--url is the Latchkey server)')
      .addOption(
        new Option('--events <types>', 'comma-separated event types, or "all"')
          .argParser(eventsArg)
          .makeOptionMandatory(),
      )
      .option('--description <text>')
      .addHelpText(
        'after',
        `\nExamples:\n  latchkey webhook create https://hooks.acme.com/latchkey --events token.created,token.revoked --org acme\n  latchkey webhook create https://siem.acme.com/in --events all --description "SIEM" --org acme\n${eventTypesHelp()}`,
      )
      .action(
        run(
          async (
            r,
            o: { events: WebhookEventType[]; description?: string; json?: boolean },
            endpointUrl: string,
          ) => {
            const created = await r.call(
              r.api.POST('/api/v1/orgs/{org}/webhook-endpoints', {
                ...inOrg(r.org),
                body: {
                  url: endpointUrl,
                  eventTypes: o.events,
                  ...(o.description ? { description: o.description } : {}),
                },
              }),
            );
            printOut(!!o.json, created, () => {
              printTable([created], columns);
              process.stdout.write(`\nsecret: ${created.secret}\n${SECRET_NOTE}\n`);
            });
          },
        ),
      ),
  );
  webhook.addCommand(
    remoteCommand('update', "Change an endpoint's URL, event types or description; enable or disable it")
      .argument('<endpoint-id>', 'whe_…')
      .option('--endpoint-url <url>', 'where events are POSTed (--url is the Latchkey server)')
      .addOption(
        new Option('--events <types>', 'comma-separated (replaces the list), or "all"').argParser(eventsArg),
      )
      .option('--description <text>', '"" removes it')
      .addOption(
        new Option('--disable', 'stop sending to it (deliveries wait until enabled)').conflicts('enable'),
      )
      .addOption(new Option('--enable', 'send to it again (also after Latchkey disabled it for failing)'))
      .addHelpText(
        'after',
        `\nExamples:\n  latchkey webhook update whe_… --events 'token.*,service_account.*' --org acme\n  latchkey webhook update whe_… --disable --org acme\n${eventTypesHelp()}`,
      )
      .action(
        run(
          async (
            r,
            o: {
              endpointUrl?: string;
              events?: WebhookEventType[];
              description?: string;
              enable?: boolean;
              disable?: boolean;
              json?: boolean;
            },
            id: string,
          ) => {
            const body = {
              ...(o.endpointUrl !== undefined ? { url: o.endpointUrl } : {}),
              ...(o.events ? { eventTypes: o.events } : {}),
              ...(o.description !== undefined
                ? { description: o.description === '' ? null : o.description }
                : {}),
              ...(o.enable ? { enabled: true } : {}),
              ...(o.disable ? { enabled: false } : {}),
            };
            if (Object.keys(body).length === 0)
              throw new UsageError(
                "nothing to change: give --endpoint-url, --events, --description, --enable or --disable (--url is the Latchkey server's address, not the endpoint's)",
              );
            const e = await r.call(
              r.api.PATCH('/api/v1/orgs/{org}/webhook-endpoints/{id}', { ...endpointPath(r, id), body }),
            );
            printOut(!!o.json, e, () => printTable([e], columns));
          },
        ),
      ),
  );
  webhook.addCommand(
    remoteCommand('delete', 'Remove a webhook endpoint: nothing more is sent to it')
      .argument('<endpoint-id>', 'whe_…')
      .addHelpText('after', '\nExample:\n  latchkey webhook delete whe_… --org acme')
      .action(
        run(async (r, o, id: string) => {
          await r.call(r.api.DELETE('/api/v1/orgs/{org}/webhook-endpoints/{id}', endpointPath(r, id)));
          printOut(!!o.json, { deleted: id }, () => process.stdout.write(`deleted ${id}\n`));
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand(
      'rotate-secret',
      'Give an endpoint a new signing secret (shown only this once); the old one also signs for 24 hours',
    )
      .argument('<endpoint-id>', 'whe_…')
      .addHelpText('after', '\nExample:\n  latchkey webhook rotate-secret whe_… --org acme')
      .action(
        run(async (r, o, id: string) => {
          const res = await r.call(
            r.api.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/rotate-secret', {
              ...endpointPath(r, id),
              body: {},
            }),
          );
          printOut(!!o.json, res, () => {
            printTable([res], columns);
            process.stdout.write(
              `\nsecret: ${res.secret}\n${SECRET_NOTE}\n` +
                (res.previousSecretExpiresAt
                  ? `Events are signed with the old secret too until ${res.previousSecretExpiresAt}.\n`
                  : ''),
            );
          });
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand('deliveries', "An endpoint's deliveries, newest first")
      .argument('<endpoint-id>', 'whe_…')
      .option('--limit <n>', 'at most this many (1 to 200)', limitArg, 50)
      .option('--cursor <delivery-id>', 'the next page: the cursor the previous page printed')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey webhook deliveries whe_… --org acme --limit 20\n  latchkey webhook delivery whe_… whd_… --org acme',
      )
      .action(
        run(async (r, o: { limit: number; cursor?: string; json?: boolean }, id: string) => {
          const query = {
            limit: o.limit,
            ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
          };
          const page = await r.call(
            r.api.GET('/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries', {
              params: { path: { org: r.org, id }, query },
            }),
          );
          printOut(!!o.json, page, () => {
            printTable(page.items, deliveryColumns);
            if (page.nextCursor) process.stdout.write(`\nmore: add --cursor ${page.nextCursor}\n`);
          });
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand('delivery', 'One delivery: its status, every attempt and the body sent')
      .argument('<endpoint-id>', 'whe_…')
      .argument('<delivery-id>', 'whd_…')
      .action(
        run(async (r, o, id: string, deliveryId: string) => {
          const d = await r.call(
            r.api.GET(
              '/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries/{deliveryId}',
              deliveryPath(r, id, deliveryId),
            ),
          );
          printOut(!!o.json, d, () => {
            printTable([d], deliveryColumns);
            process.stdout.write('\nattempts:\n');
            printTable(d.attemptLog, [
              ['at', (a) => a.at],
              ['status code', (a) => a.statusCode],
              ['latency ms', (a) => a.latencyMs],
              ['error', (a) => a.error],
            ]);
            process.stdout.write(`\npayload:\n${JSON.stringify(d.payload, null, 2)}\n`);
          });
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand('resend', 'Send a delivery again (same event id), from the start of the retry schedule')
      .argument('<endpoint-id>', 'whe_…')
      .argument('<delivery-id>', 'whd_…')
      .addHelpText('after', '\nExample:\n  latchkey webhook resend whe_… whd_… --org acme')
      .action(
        run(async (r, o, id: string, deliveryId: string) => {
          const d = await r.call(
            r.api.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries/{deliveryId}/resend', {
              ...deliveryPath(r, id, deliveryId),
              body: {},
            }),
          );
          printOut(!!o.json, d, () => printTable([d], deliveryColumns));
        }),
      ),
  );
  webhook.addCommand(
    remoteCommand('test', 'Queue a webhook.test event to this endpoint (whatever it subscribes to)')
      .argument('<endpoint-id>', 'whe_…')
      .addHelpText(
        'after',
        '\nExample:\n  latchkey webhook test whe_… --org acme && latchkey webhook deliveries whe_… --org acme',
      )
      .action(
        run(async (r, o, id: string) => {
          const d = await r.call(
            r.api.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/test', {
              ...endpointPath(r, id),
              body: {},
            }),
          );
          printOut(!!o.json, d, () => {
            printTable([d], deliveryColumns);
            process.stdout.write(`\nqueued; follow it with: latchkey webhook delivery ${id} ${d.id}\n`);
          });
        }),
      ),
  );
  return webhook;
}
