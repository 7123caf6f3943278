import { describe, expect, it } from 'vitest';
import {
  builtinRolePermissions,
  buildCatalog,
  effectiveTokenPermissions,
  expand,
  grants,
  missingFrom,
  unknownPermissions,
} from '../../src/domain/permissions.js';

const catalog = buildCatalog(['assets', 'orders'], ['assets:view']);

describe('permissions (rule 12)', () => {
  it('edit implies view', () => {
    expect(expand(['assets:edit'])).toEqual(['assets:edit', 'assets:view']);
    expect(grants(['assets:edit'], 'assets:view')).toBe(true);
    expect(grants(['assets:view'], 'assets:edit')).toBe(false);
  });

  it('a token never holds more than its owner', () => {
    expect(
      effectiveTokenPermissions({
        ownerRole: ['assets:view'],
        tokenPermissions: ['assets:edit', 'orders:edit'],
        type: 'private',
        catalog,
      }),
    ).toEqual(['assets:view']);
  });

  it('no token list means the owner role', () => {
    expect(
      effectiveTokenPermissions({
        ownerRole: ['orders:edit'],
        tokenPermissions: null,
        type: 'private',
        catalog,
      }),
    ).toEqual(['orders:edit', 'orders:view']);
  });

  it('public tokens are narrowed to public-safe permissions', () => {
    expect(
      effectiveTokenPermissions({
        ownerRole: ['assets:edit', 'orders:edit', 'tokens:edit'],
        tokenPermissions: null,
        type: 'public',
        catalog,
      }),
    ).toEqual(['assets:view']);
  });

  it('rejects unknown resources and malformed permissions', () => {
    expect(unknownPermissions(catalog, ['assets:view', 'nope:view', 'assets:delete', 'ASSETS:view'])).toEqual(
      ['nope:view', 'assets:delete', 'ASSETS:view'],
    );
  });

  it('built-in roles: Owner everything, Admin all but org settings edit, Viewer view only', () => {
    expect(builtinRolePermissions('Owner', catalog)).toContain('org_settings:edit');
    expect(builtinRolePermissions('Admin', catalog)).not.toContain('org_settings:edit');
    expect(builtinRolePermissions('Admin', catalog)).toContain('tokens:edit');
    expect(builtinRolePermissions('Viewer', catalog).every((p) => p.endsWith(':view'))).toBe(true);
    expect(builtinRolePermissions('Viewer', catalog)).toContain('orders:view');
  });

  it('missingFrom finds escalation', () => {
    expect(missingFrom(['tokens:edit'], ['tokens:view', 'roles:edit'])).toEqual(['roles:edit', 'roles:view']);
    expect(missingFrom(['roles:edit'], ['roles:view'])).toEqual([]);
  });
});
