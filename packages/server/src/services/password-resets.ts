import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { UserRecord } from '../store/queries/users.js';
import type { ServiceDeps } from './context.js';
import { iso } from './context.js';
import { hashPassword } from './passwords.js';
import { checkPassword } from './users.js';

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60_000;

export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/reset-password#token=${token}`;
}

/**
 * Password reset by e-mail: how the owner of an address takes back an account someone else created for it
 * (an inviter vouching without SMTP), or simply one whose password they forgot.
 *
 * Reset tokens are stateless: `<userId>.<expiry>.<mac>`, the MAC (HMAC-SHA256 under a key derived from the
 * deployment's secret) covering the user, the expiry and the user's current password hash. Setting a password
 * (by this reset or any other way) changes that hash, so every outstanding link of that user dies: single
 * use without a table to keep.
 */
export function passwordResetService(deps: ServiceDeps) {
  const { store, clock, config } = deps;
  let key: Buffer | undefined;

  async function macKey(): Promise<Buffer> {
    if (key) return key;
    const secret = await store.settings.get('cookie_secret');
    if (!secret) throw new Error('the deployment secret is not set up yet');
    key = createHmac('sha256', secret).update('latchkey password reset').digest();
    return key;
  }

  async function mac(user: UserRecord, expires: string): Promise<Buffer> {
    return createHmac('sha256', await macKey())
      .update(`${user.id}.${expires}.${user.passwordHash}`)
      .digest();
  }

  const invalid = () =>
    new AppError(
      'password_reset_invalid',
      'This reset link is invalid, expired or already used. Ask for a new one.',
    );

  return {
    /**
     * E-mails a reset link to the address if it has an account and SMTP is configured; does nothing otherwise.
     * The caller answers the same either way and does not wait for this (so timing tells nothing either).
     */
    async request(email: string): Promise<void> {
      if (!deps.mailer) return;
      const user = await store.users.findByEmail(email);
      if (!user) return;
      const expires = (clock.now().getTime() + PASSWORD_RESET_TTL_MS).toString(36);
      const token = `${user.id}.${expires}.${(await mac(user, expires)).toString('base64url')}`;
      const link = passwordResetLink(config.publicUrl, token);
      await deps.mailer.send({
        to: user.email,
        subject: 'Reset your Latchkey password',
        text:
          `Someone asked to reset the password of the Latchkey account for this address at ${config.publicUrl}.\n\n` +
          `If it was you, open this link within an hour to choose a new password (it works once):\n${link}\n\n` +
          'Setting a new password signs the account out everywhere. If it was not you, ignore this message: ' +
          'nothing changes.\n',
      });
    },

    /** Sets the password from a reset link and ends every session of that user. */
    async complete(token: string, password: string): Promise<{ email: string }> {
      const [userId, expires, given, ...rest] = token.split('.');
      if (!userId || !expires || !given || rest.length > 0 || !/^[0-9a-z]{1,12}$/.test(expires))
        throw invalid();
      const user = await store.users.findById(userId);
      if (!user) throw invalid();
      const expected = await mac(user, expires);
      const presented = Buffer.from(given, 'base64url');
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid();
      if (parseInt(expires, 36) <= clock.now().getTime()) throw invalid();
      checkPassword(password);
      const passwordHash = await hashPassword(password);
      await store.transaction(async (tx) => {
        // Only over the hash the link was made for: of two concurrent uses (or a change meanwhile), one wins.
        if (!(await tx.users.replacePasswordHash(userId, user.passwordHash, passwordHash, iso(clock.now()))))
          throw invalid();
        await tx.sessions.deleteForUser(userId);
      });
      return { email: user.email };
    },
  };
}
