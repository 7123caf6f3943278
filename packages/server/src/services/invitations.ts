import { AppError, notFound } from '../domain/errors.js';
import { randomBase62 } from '../domain/base62.js';
import { newId } from '../domain/ids.js';
import { hashToken } from '../domain/token-format.js';
import type { InvitationRecord } from '../store/queries/invitations.js';
import type { UserRecord } from '../store/queries/users.js';
import { writeAudit } from './audit.js';
import { inTransaction, iso, type Actor, type OrgScope, type ServiceDeps } from './context.js';
import type { roleService } from './roles.js';
import { createUser } from './users.js';
import { invitationEmail } from './invitation-email.js';
import { verifyPassword } from './passwords.js';
import { invitationView } from './views.js';

/** The single-use secret travels in the URL fragment, which browsers never send to a server or its logs. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/accept-invite#token=${token}`;
}

export function invitationService(deps: ServiceDeps, roles: ReturnType<typeof roleService>) {
  const { store, clock, config } = deps;

  return {
    async list(scope: OrgScope) {
      const now = iso(clock.now());
      return (await store.invitations.listPending(scope.org.id)).map((i) => invitationView(i, now));
    },

    /**
     * Rule 17: returns the single-use token and the link that carries it, shown once to the inviter, and
     * e-mails the link when SMTP is configured (after the commit: a mail failure never undoes the invitation).
     * Counted against the inviter's and the org's invitation limits first (rate_limited when spent); a
     * refused invitation gives its count back.
     */
    async create(scope: OrgScope, input: { email: string; roleId: string }) {
      const email = input.email.toLowerCase();
      const { actor } = scope;
      const inviter = actor.userId ? `usr:${actor.userId}` : `${actor.type}:${actor.id ?? 'system'}`;
      await deps.invitationLimits.take(scope.org.id, inviter);
      const created = await inTransaction(deps, async (tx) => {
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
        await writeAudit(tx, scope, iso(now), { action: 'invitation.create', targetType: 'invitation', targetId: inv.id, after: view });
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
      return { ...created, emailed };
    },

    async revoke(scope: OrgScope, id: string): Promise<void> {
      await inTransaction(deps, async (tx) => {
        const inv = await tx.invitations.findInOrg(scope.org.id, id);
        if (!inv || inv.acceptedAt || inv.revokedAt) throw notFound('Invitation');
        const at = iso(clock.now());
        await tx.invitations.revoke(id, at);
        await writeAudit(tx, scope, at, { action: 'invitation.revoke', targetType: 'invitation', targetId: id, before: invitationView(inv, at) });
      });
    },

    /**
     * Accepts an invitation: signs the invitee up (new email: name and password required) or in
     * (existing user: their password must match), then adds the membership. Single use, expiring.
     */
    async accept(input: { token: string; name?: string; password: string; ip: string | null }): Promise<{ user: UserRecord; orgId: string }> {
      return inTransaction(deps, async (tx) => {
        const invalid = () => new AppError('invitation_invalid', 'This invitation link is invalid, expired or already used. Ask for a new one.');
        const inv = await tx.invitations.findByTokenHash(hashToken(input.token));
        const now = iso(clock.now());
        if (!inv || inv.acceptedAt || inv.revokedAt || inv.expiresAt <= now) throw invalid();
        let user = await tx.users.findByEmail(inv.email);
        if (user) {
          if (!(await verifyPassword(user.passwordHash, input.password))) {
            throw new AppError('invalid_credentials', 'An account with this email exists: sign in with its password to accept.');
          }
        } else {
          if (!input.name) throw new AppError('validation_failed', 'A name is required to create your account.');
          user = await createUser(tx, clock, { email: inv.email, name: input.name, password: input.password });
        }
        if (await tx.members.find(inv.orgId, user.id)) throw new AppError('already_member', 'You are already a member of this org.');
        if (!(await tx.invitations.markAccepted(inv.id, user.id, now))) throw invalid();
        await tx.members.insert({ orgId: inv.orgId, userId: user.id, roleId: inv.roleId, createdAt: now, updatedAt: now });
        const org = (await tx.orgs.findById(inv.orgId))!;
        const actor: Actor = { type: 'user', id: user.id, label: user.email, userId: user.id, ip: input.ip };
        await writeAudit(tx, { org, actor, permissions: [] }, now, {
          action: 'invitation.accept',
          targetType: 'member',
          targetId: user.id,
          after: { userId: user.id, email: user.email, roleId: inv.roleId, roleName: inv.roleName, invitationId: inv.id },
        });
        return { user, orgId: inv.orgId };
      });
    },
  };
}
