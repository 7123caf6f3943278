import type { Remote } from '../remote/client.js';
import { inOrg } from '../remote/types.js';
import { UsageError } from '../remote/remote-command.js';

/** Role by name (case-insensitive) or id. */
export async function roleIdByName(r: Remote, role: string): Promise<string> {
  if (/^rol_/.test(role)) return role;
  const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/roles', inOrg(r.org)));
  const found = items.find((x) => x.name.toLowerCase() === role.toLowerCase());
  if (!found) throw new UsageError(`no role named "${role}" (roles: ${items.map((x) => x.name).join(', ')})`);
  return found.id;
}

/** Member by email or user id. */
export async function memberIdByEmail(r: Remote, member: string): Promise<string> {
  if (/^usr_/.test(member)) return member;
  const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/members', inOrg(r.org)));
  const found = items.find((m) => m.email.toLowerCase() === member.toLowerCase());
  if (!found) throw new UsageError(`${member} is not a member of this org`);
  return found.userId;
}

/** Service account by name or id → id. */
export async function serviceAccountId(r: Remote, account: string): Promise<string> {
  const sa = await r.call(
    r.api.GET('/api/v1/orgs/{org}/service-accounts/{id}', { params: { path: { org: r.org, id: account } } }),
  );
  return sa.id;
}
