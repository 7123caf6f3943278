import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { randomBase62 } from '../domain/base62.js';
import { hashToken } from '../domain/token-format.js';
import { inTransaction, type Actor, type OrgScope, type ServiceDeps } from './context.js';
import type { orgService } from './orgs.js';
import type { serviceAccountService } from './service-accounts.js';
import type { tokenService } from './tokens.js';
import type { userService } from './users.js';
import { verifyPassword } from './passwords.js';
import { expand } from '../domain/permissions.js';
import type { Store } from '../store/store.js';

const SETUP_KEY = 'setup_token_hash';

/**
 * On a database with no users, stores a fresh one-time setup secret (hashed) and returns the link for
 * printing; `null` once set-up is done. Each call replaces the previous link, so exactly one process
 * prints it (`serve`, or the primary of `serve --workers`).
 */
export async function issueSetupLink(store: Store, publicUrl: string): Promise<string | null> {
  if ((await store.users.count()) > 0) return null;
  const token = randomBase62(40);
  await store.settings.set(SETUP_KEY, hashToken(token));
  return `${publicUrl}/setup#token=${token}`;
}

export function setupService(
  deps: ServiceDeps,
  orgs: ReturnType<typeof orgService>,
  serviceAccounts: ReturnType<typeof serviceAccountService>,
  tokens: ReturnType<typeof tokenService>,
  users: ReturnType<typeof userService>,
) {
  const { store, config } = deps;

  return {
    /**
     * On a database with no users, issues a fresh one-time setup link (its secret is stored hashed)
     * and returns it for printing; `null` once set-up is done.
     */
    issueSetupLink: (): Promise<string | null> => issueSetupLink(store, config.publicUrl),

    async setupPending(): Promise<boolean> {
      return (await store.users.count()) === 0;
    },

    /** Creates the first owner and org, consuming the setup token. */
    async complete(input: {
      token: string;
      orgName: string;
      orgSlug: string;
      name: string;
      email: string;
      password: string;
      ip: string | null;
    }) {
      return inTransaction(deps, async (tx) => {
        if ((await tx.users.count()) > 0)
          throw new AppError('setup_complete', 'Latchkey is already set up; sign in instead.');
        const stored = await tx.settings.get(SETUP_KEY);
        const given = Buffer.from(hashToken(input.token));
        if (!stored || !timingSafeEqual(Buffer.from(stored), given)) {
          throw new AppError(
            'setup_invalid',
            'This setup link is not valid; use the newest link printed by the server.',
          );
        }
        const user = await users.create(
          { email: input.email, name: input.name, password: input.password },
          tx,
        );
        const actor: Actor = { type: 'user', id: user.id, label: user.email, userId: user.id, ip: input.ip };
        const org = await orgs.create(
          { name: input.orgName, slug: input.orgSlug, ownerUserId: user.id, actor },
          tx,
        );
        await tx.settings.delete(SETUP_KEY);
        return { user, org };
      });
    },

    /**
     * `latchkey bootstrap`: creates (or reuses, if the password matches) a user and a new org they own;
     * with `adminToken`, also an `admin` service account (Admin role) and a private token for it.
     */
    async bootstrap(input: {
      slug: string;
      orgName?: string;
      email: string;
      name?: string;
      password: string;
      adminToken: boolean;
    }) {
      const system: Actor = { type: 'system', id: null, label: 'latchkey bootstrap', userId: null, ip: null };
      // One transaction: a failure anywhere (say, a taken slug) leaves nothing behind.
      return inTransaction(deps, async (tx) => {
        let user = await tx.users.findByEmail(input.email);
        if (user) {
          if (!(await verifyPassword(user.passwordHash, input.password))) {
            throw new AppError(
              'invalid_credentials',
              `A user ${input.email} already exists and the password does not match.`,
            );
          }
        } else {
          user = await users.create(
            { email: input.email, name: input.name ?? input.email.split('@')[0]!, password: input.password },
            tx,
          );
        }
        const org = await orgs.create(
          { name: input.orgName ?? input.slug, slug: input.slug, ownerUserId: user.id, actor: system },
          tx,
        );
        if (!input.adminToken) return { user, org };
        const admin = await tx.roles.findBuiltin(org.id, 'Admin');
        const owner = await tx.roles.findBuiltin(org.id, 'Owner');
        const scope: OrgScope = { org, actor: system, permissions: expand(owner!.permissions) };
        const sa = await serviceAccounts.create(
          scope,
          { name: 'admin', roleId: admin!.id, description: 'Created by latchkey bootstrap' },
          tx,
        );
        const created = await tokens.create(
          scope,
          { name: 'bootstrap admin token', serviceAccountId: sa.id, type: 'private' },
          tx,
        );
        return { user, org, serviceAccount: sa, token: created.value, tokenId: created.token.id };
      });
    },
  };
}
