/** The API's shapes, as the console uses them (see /api/v1/openapi.json). */
export interface User { id: string; email: string; name: string }
export interface Me {
  kind: 'session' | 'token';
  user: User | null;
  orgs: { id: string; slug: string; name: string; roleId: string | null; roleName: string | null }[];
  csrfToken: string | null;
}
export interface Org { id: string; slug: string; name: string; maxTokenLifetimeDays: number | null }
export interface Role { id: string; name: string; builtin: boolean; description: string | null; permissions: string[] }
export interface RolesResponse { items: Role[]; catalog: { resources: string[]; platformResources: string[]; publicSafe: string[] } }
export interface Member { userId: string; email: string; name: string; roleId: string; roleName: string; activeTokens: number; joinedAt: string }
export interface ServiceAccount {
  id: string; name: string; description: string | null; roleId: string; roleName: string;
  status: 'active' | 'disabled'; activeTokens: number; createdAt: string;
}
export interface Invitation { id: string; email: string; roleId: string; roleName: string; status: string; createdAt: string; expiresAt: string }
/** POST /invitations/lookup: what an invitation is for (nothing about whether the address has an account). */
export interface InvitationLookup { email: string; orgName: string; roleName: string; invitedBy: { name: string; email: string } | null; expiresAt: string }
export interface Token {
  id: string; name: string; type: 'public' | 'private'; hint: string; value: string | null;
  owner: { type: 'service_account' | 'user'; id: string; name: string; email: string | null; deleted: boolean };
  legacy: boolean; imported: boolean; status: 'active' | 'revoked' | 'expired';
  domains: string[]; permissions: string[] | null; effectivePermissions: string[];
  expiresAt: string | null; revokedAt: string | null; createdAt: string;
  lastUsedAt: string | null; lastUsedOrigin: string | null; usesLast7Days: number;
}
export interface TokenRef { id: string; name: string; type: string; hint: string }
export interface AuditEntry {
  id: string; at: string; action: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null };
  before: unknown; after: unknown; ip: string | null;
}
export interface Page<T> { items: T[]; nextCursor: string | null }
