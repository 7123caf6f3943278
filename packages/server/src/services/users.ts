import { AppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { UserRecord } from '../store/queries/users.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, onConflict, type ServiceDeps } from './context.js';
import {
  dummyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.js';

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError(
      'validation_failed',
      `A password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
    );
  }
}

export function userService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** Inserts a user whose password the caller has already checked and hashed; `email_taken` if the email is taken. */
  async function insertHashed(
    input: { id: string; email: string; name: string; passwordHash: string },
    outer?: Store,
  ): Promise<UserRecord> {
    const at = iso(clock.now());
    const user: UserRecord = { ...input, email: input.email.toLowerCase(), createdAt: at, updatedAt: at };
    await inTransaction(
      deps,
      (tx) =>
        onConflict(
          tx.users.insert(user),
          () => new AppError('email_taken', 'A user with this email already exists.'),
        ),
      outer,
    );
    return user;
  }

  return {
    insertHashed,

    /** Creates a user (email lower-cased, password hashed with argon2id); `email_taken` if the email is taken. */
    async create(
      input: { email: string; name: string; password: string },
      outer?: Store,
    ): Promise<UserRecord> {
      checkPassword(input.password);
      return insertHashed(
        {
          id: newId('user'),
          email: input.email,
          name: input.name,
          passwordHash: await hashPassword(input.password),
        },
        outer,
      );
    },

    /**
     * Checks an email and password. Unknown email and wrong password give the same answer and take
     * the same time (a dummy hash is verified), so the login cannot be used to enumerate users.
     */
    async authenticate(email: string, password: string): Promise<UserRecord | undefined> {
      const user = await store.users.findByEmail(email);
      if (!user) {
        await verifyPassword(await dummyHash(), password);
        return undefined;
      }
      return (await verifyPassword(user.passwordHash, password)) ? user : undefined;
    },

    /**
     * Changes a user's password after checking the current one, and ends every session they have (the
     * caller gets a fresh one): whoever else held a session or the old password is out at once.
     */
    async changePassword(userId: string, current: string, next: string, outer?: Store): Promise<void> {
      checkPassword(next);
      await inTransaction(
        deps,
        async (tx) => {
          const user = await tx.users.findById(userId);
          if (!user || !(await verifyPassword(user.passwordHash, current))) {
            throw new AppError('invalid_credentials', 'The current password is not right.');
          }
          await tx.users.setPasswordHash(userId, await hashPassword(next), iso(clock.now()));
          await tx.sessions.deleteForUser(userId);
        },
        outer,
      );
    },
  };
}
