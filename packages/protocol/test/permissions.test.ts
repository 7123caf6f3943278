import { describe, expect, it } from 'vitest';
import { expandPermissions } from '../src/index.js';

describe('expandPermissions', () => {
  it('adds the view an edit implies, sorted and once each', () => {
    expect(expandPermissions(['tokens:edit', 'roles:view', 'tokens:view', 'orders:edit'])).toEqual([
      'orders:edit',
      'orders:view',
      'roles:view',
      'tokens:edit',
      'tokens:view',
    ]);
    expect(expandPermissions([])).toEqual([]);
  });
});
