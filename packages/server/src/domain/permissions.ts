/**
 * Permissions are data (SPEC §1, rule 12). A permission is `<resource>:view` or `<resource>:edit`;
 * edit implies view. Latchkey's own resources are fixed here; the platform's come from configuration.
 */
import { expandPermissions } from '@latchkey/protocol';

export const LATCHKEY_RESOURCES = [
  'members',
  'roles',
  'service_accounts',
  'tokens',
  'org_settings',
  'audit_log',
  'webhook_endpoints',
] as const;
export type LatchkeyResource = (typeof LATCHKEY_RESOURCES)[number];

export const ACTIONS = ['view', 'edit'] as const;
export type Action = (typeof ACTIONS)[number];
export type Permission = `${string}:${Action}`;

export interface PermissionCatalog {
  /** Every resource a role can grant: Latchkey's own first, then the platform's. */
  resources: readonly string[];
  platformResources: readonly string[];
  /** Platform permissions a public token may carry (already expanded: edit implies view). */
  publicSafe: ReadonlySet<string>;
}

export const RESOURCE_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const PERMISSION_PATTERN = /^[a-z][a-z0-9_]{0,62}:(view|edit)$/;

export function buildCatalog(
  platformResources: readonly string[],
  publicSafe: readonly string[],
): PermissionCatalog {
  const resources = [...LATCHKEY_RESOURCES, ...platformResources.filter((r) => !isLatchkeyResource(r))];
  return {
    resources,
    platformResources: resources.filter((r) => !isLatchkeyResource(r)),
    publicSafe: new Set(expand(publicSafe)),
  };
}

export function isLatchkeyResource(resource: string): resource is LatchkeyResource {
  return (LATCHKEY_RESOURCES as readonly string[]).includes(resource);
}

export function allPermissions(catalog: PermissionCatalog): Permission[] {
  return catalog.resources.flatMap((r) => ACTIONS.map((a) => `${r}:${a}` as Permission));
}

/** Permissions of `list` that the catalog does not know. */
export function unknownPermissions(catalog: PermissionCatalog, list: readonly string[]): string[] {
  return list.filter((p) => {
    if (!PERMISSION_PATTERN.test(p)) return true;
    return !catalog.resources.includes(p.slice(0, p.indexOf(':')));
  });
}

/** Adds the implied `view` for every `edit`; sorted and de-duplicated. */
export function expand(list: Iterable<string>): Permission[] {
  return expandPermissions(list) as Permission[];
}

/** Does the expanded set `held` include `required` (edit implies view)? */
export function grants(held: ReadonlySet<string> | readonly string[], required: string): boolean {
  const has = (p: string) => (Array.isArray(held) ? held.includes(p) : (held as ReadonlySet<string>).has(p));
  if (has(required)) return true;
  return required.endsWith(':view') && has(`${required.slice(0, -':view'.length)}:edit`);
}

/**
 * Effective permissions of a token (rule 12): the owner's role, narrowed to the token's own list when
 * it has one, and for a public token narrowed again to the public-safe set. Never more than the owner.
 */
export function effectiveTokenPermissions(args: {
  ownerRole: readonly string[];
  tokenPermissions: readonly string[] | null;
  type: 'public' | 'private';
  catalog: PermissionCatalog;
}): Permission[] {
  let result = expand(args.ownerRole);
  if (args.tokenPermissions !== null) {
    const narrowed = new Set(expand(args.tokenPermissions));
    result = result.filter((p) => narrowed.has(p));
  }
  if (args.type === 'public') result = result.filter((p) => args.catalog.publicSafe.has(p));
  return result;
}

/** Permissions in `wanted` that `held` does not cover: used to refuse privilege escalation. */
export function missingFrom(held: readonly string[], wanted: readonly string[]): Permission[] {
  const heldSet = new Set(expand(held));
  return expand(wanted).filter((p) => !heldSet.has(p));
}

export const BUILTIN_ROLES = ['Owner', 'Admin', 'Viewer'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

/**
 * Built-in role grants. Owner: everything. Admin: everything but the org's own settings (and only an
 * Owner may make, change or remove an Owner — enforced in the member service). Viewer: view everything.
 */
export function builtinRolePermissions(role: BuiltinRole, catalog: PermissionCatalog): Permission[] {
  const all = allPermissions(catalog);
  switch (role) {
    case 'Owner':
      return expand(all);
    case 'Admin':
      return expand(all.filter((p) => p !== 'org_settings:edit'));
    case 'Viewer':
      return expand(all.filter((p) => p.endsWith(':view')));
  }
}
