import { AppError, notFound } from '../domain/errors.js';
import { randomBase62 } from '../domain/base62.js';
import { newId } from '../domain/ids.js';
import { hashToken } from '../domain/token-format.js';
import type { InvitationRecord, InvitationView } from '../store/queries/invitations.js';
import type { UserRecord } from '../store/queries/users.js';
import type { Store } from '../store/store.js';
import type { EventRecorder } from './events.js';
import { inTransaction, iso, type Actor, type OrgScope, type ServiceDeps } from './context.js';
import type { roleService } from './roles.js';
import { checkPassword, type userService } from './users.js';
import { hashPassword } from './passwords.js';
import { invitationEmail } from './invitation-email.js';
import { invitationView } from './views.js';

/** The single-use secret travels in the URL fragment, which browsers never send to a server or its logs. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/accept-invite#token=${token}`;
}

export function invitationService(
  deps: ServiceDeps,
  roles: ReturnType<typeof roleService>,
  users: ReturnType<typeof userService>,
) {
  const { store, clock, config } = deps;

  return {
    async list(scope: OrgScope) {
      const now = iso(clock.now());
      return (await store.invitations.listPending(scope.org.id)).map((i) => invitationView(i, now));
    },

    /**
     * Rule 17: without SMTP, returns the single-use token and the link that carries it, shown once to the
     * inviter (who then vouches for the address). With SMTP, the link is e-mailed to the address only and
     * never returned: whoever uses it has proved they read that mailbox (after the commit: a mail failure
     * never undoes the invitation; the inviter revokes it and invites again).
     * Counted against the inviter's and the org's invitation limits first (rate_limited when spent); a
     * refused invitation gives its count back.
     */
    async create(scope: OrgScope, input: { email: string; roleId: string }) {
      const email = input.email.toLowerCase();
      const { actor } = scope;
      const inviter = actor.userId ? `usr:${actor.userId}` : `${actor.type}:${actor.id ?? 'system'}`;
      await deps.invitationLimits.take(scope.org.id, inviter);
      const created = await inTransaction(deps, async (tx, events) => {
        const role = await roles.assignable(tx, scope, input.roleId, 'invite with this role');
        const existing = await tx.users.findByEmail(email);
        if (existing && (await tx.members.find(scope.org.id, existing.id))) {
          throw new AppError('already_member', `${email} is already a member of this org.`);
        }
        const token = randomBase62(40);
        const now = clock.now();
        const inv: InvitationRecord = {
          id: newId('invitation'),
          orgId: scope.org.id,
          email,
          roleId: role.id,
          tokenHash: hashToken(token),
          invitedBy: scope.actor.userId,
          createdAt: iso(now),
          expiresAt: iso(new Date(now.getTime() + config.invitationTtlHours * 3_600_000)),
          acceptedAt: null,
          acceptedBy: null,
          revokedAt: null,
        };
        await tx.invitations.insert(inv);
        const view = invitationView({ ...inv, roleName: role.name }, iso(now));
        await events.record(scope, iso(now), { type: 'invitation.created', invitation: view });
        return { invitation: view, token, link: invitationLink(config.publicUrl, token) };
      }).catch(async (e: unknown) => {
        await deps.invitationLimits.giveBack(scope.org.id, inviter);
        throw e;
      });
      const message = invitationEmail({
        publicUrl: config.publicUrl,
        orgName: scope.org.name,
        roleName: created.invitation.roleName,
        inviter: scope.actor.label,
        link: created.link,
        expiresAt: created.invitation.expiresAt,
      });
      const emailed = deps.mailer ? await deps.mailer.send({ to: email, ...message }) : false;
      if (deps.mailer) return { invitation: created.invitation, emailed };
      return { ...created, emailed };
    },

    async revoke(scope: OrgScope, id: string): Promise<void> {
      await inTransaction(deps, async (tx, events) => {
        const inv = await tx.invitations.findInOrg(scope.org.id, id);
        if (!inv || inv.acceptedAt || inv.revokedAt) throw notFound('Invitation');
        const at = iso(clock.now());
        await tx.invitations.revoke(id, at);
        await events.record(scope, at, { type: 'invitation.revoked', invitation: invitationView(inv, at) });
      });
    },

    /**
     * What the accept page shows: the org, who invited, the address and the role. Nothing about whether
     * the address has an account. `invitation_invalid` for an unknown, used, revoked or expired link.
     */
    async lookup(token: string) {
      const inv = await openInvitation(store, token, iso(clock.now()));
      const [org, inviter] = await Promise.all([
        store.orgs.findById(inv.orgId),
        inv.invitedBy ? store.users.findById(inv.invitedBy) : undefined,
      ]);
      return {
        email: inv.email,
        orgName: org!.name,
        roleName: inv.roleName,
        invitedBy: inviter ? { name: inviter.name, email: inviter.email } : null,
        expiresAt: inv.expiresAt,
      };
    },

    /**
     * Accepts an invitation as the signed-in user (their session). The invitation must be addressed to
     * that user's e-mail; accepting one this user already accepted answers the same again (the console
     * signs a newcomer in, then accepts).
     */
    async acceptAsUser(input: {
      token: string;
      user: UserRecord;
      ip: string | null;
    }): Promise<{ orgId: string }> {
      return inTransaction(deps, async (tx, events) => {
        const inv = await tx.invitations.findByTokenHash(hashToken(input.token));
        if (inv?.acceptedBy === input.user.id) return { orgId: inv.orgId };
        const now = iso(clock.now());
        if (!inv || !isOpen(inv, now)) throw invalid();
        if (inv.email !== input.user.email.toLowerCase()) {
          throw new AppError(
            'invitation_wrong_account',
            'This invitation is for another e-mail address: sign in with the account it was sent to.',
          );
        }
        if (await tx.members.find(inv.orgId, input.user.id))
          throw new AppError('already_member', 'You are already a member of this org.');
        await join(tx, events, inv, input.user, now, input.ip);
        return { orgId: inv.orgId };
      });
    },

    /**
     * Accepts an invitation without a session. Never checks, and never reveals, anything about an existing
     * account: when the address has none, the account is created with this name and password and joins the
     * org; when it has one, nothing happens (that account accepts by signing in). Both take the same time
     * (the password is hashed either way) and get the same answer: sign in next.
     */
    async acceptAsNewcomer(input: {
      token: string;
      name: string;
      password: string;
      ip: string | null;
    }): Promise<{ email: string }> {
      const inv = await openInvitation(store, input.token, iso(clock.now()));
      checkPassword(input.password);
      const passwordHash = await hashPassword(input.password);
      try {
        await inTransaction(deps, async (tx, events) => {
          if (await tx.users.findByEmail(inv.email)) return;
          const now = iso(clock.now());
          const userId = newId('user');
          // Claim the invitation first: of two concurrent accepts, the second finds it used.
          if (!(await tx.invitations.markAccepted(inv.id, userId, now))) throw invalid();
          const user = await users.insertHashed(
            { id: userId, email: inv.email, name: input.name, passwordHash },
            tx,
          );
          await join(tx, events, inv, user, now, input.ip, false);
        });
      } catch (e) {
        // Someone created the account meanwhile (another invitation to the same address): it exists now,
        // so this is the "has an account" case, and answers like it.
        if (!(e instanceof AppError && e.code === 'email_taken')) throw e;
      }
      return { email: inv.email };
    },
  };

  /** Adds the membership (marking the invitation accepted unless the caller did) and records the event. */
  async function join(
    tx: Store,
    events: EventRecorder,
    inv: InvitationView,
    user: UserRecord,
    now: string,
    ip: string | null,
    mark = true,
  ) {
    if (mark && !(await tx.invitations.markAccepted(inv.id, user.id, now))) throw invalid();
    await tx.members.insert({
      orgId: inv.orgId,
      userId: user.id,
      roleId: inv.roleId,
      createdAt: now,
      updatedAt: now,
    });
    const org = (await tx.orgs.findById(inv.orgId))!;
    const actor: Actor = { type: 'user', id: user.id, label: user.email, userId: user.id, ip };
    await events.record({ org, actor, permissions: [] }, now, {
      type: 'member.joined',
      member: {
        userId: user.id,
        email: user.email,
        roleId: inv.roleId,
        roleName: inv.roleName,
        invitationId: inv.id,
      },
    });
  }
}

const invalid = () =>
  new AppError(
    'invitation_invalid',
    'This invitation link is invalid, expired or already used. Ask for a new one.',
  );
const isOpen = (inv: InvitationRecord, now: string) =>
  !inv.acceptedAt && !inv.revokedAt && inv.expiresAt > now;

async function openInvitation(store: Store, token: string, now: string): Promise<InvitationView> {
  const inv = await store.invitations.findByTokenHash(hashToken(token));
  if (!inv || !isOpen(inv, now)) throw invalid();
  return inv;
}
