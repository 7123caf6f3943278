import { AppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { isUniqueViolation } from '../store/dialect.js';
import type { UserRecord } from '../store/queries/users.js';
import type { Store } from '../store/store.js';
import { iso, type Clock } from './context.js';
import { dummyHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `A password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
  }
}

/** Creates a user (email lower-cased, password hashed with argon2id). */
export async function createUser(tx: Store, clock: Clock, input: { email: string; name: string; password: string }): Promise<UserRecord> {
  checkPassword(input.password);
  return insertUser(tx, clock, { id: newId('user'), email: input.email, name: input.name, passwordHash: await hashPassword(input.password) });
}

/** Inserts a user whose password the caller has already checked and hashed; `email_taken` if the email is taken. */
export async function insertUser(tx: Store, clock: Clock, input: { id: string; email: string; name: string; passwordHash: string }): Promise<UserRecord> {
  const at = iso(clock.now());
  const user: UserRecord = { ...input, email: input.email.toLowerCase(), createdAt: at, updatedAt: at };
  try {
    await tx.users.insert(user);
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('email_taken', 'A user with this email already exists.');
    throw e;
  }
  return user;
}

/**
 * Checks an email and password. Unknown email and wrong password give the same answer and take
 * the same time (a dummy hash is verified), so the login cannot be used to enumerate users.
 */
export async function authenticate(store: Store, email: string, password: string): Promise<UserRecord | undefined> {
  const user = await store.users.findByEmail(email);
  if (!user) {
    await verifyPassword(await dummyHash(), password);
    return undefined;
  }
  return (await verifyPassword(user.passwordHash, password)) ? user : undefined;
}

/**
 * Changes a user's password after checking the current one, and ends every session they have (the
 * caller gets a fresh one): whoever else held a session or the old password is out at once.
 */
export async function changePassword(store: Store, clock: Clock, userId: string, current: string, next: string): Promise<void> {
  checkPassword(next);
  await store.transaction(async (tx) => {
    const user = await tx.users.findById(userId);
    if (!user || !(await verifyPassword(user.passwordHash, current))) {
      throw new AppError('invalid_credentials', 'The current password is not right.');
    }
    await tx.users.setPasswordHash(userId, await hashPassword(next), iso(clock.now()));
    await tx.sessions.deleteForUser(userId);
  });
}
