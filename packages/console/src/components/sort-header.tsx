import { Table, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A column header that sorts the table: a button (keyboard and screen reader reachable) with the
 * direction as `aria-sort` on the header cell. Clicking the sorted column flips it when it has a reverse
 * order, else keeps it.
 */
export function SortHeader<S extends string>({
  label,
  sorts,
  current,
  onSort,
  w,
}: {
  label: ReactNode;
  /** The column's orders: [the one a first click picks, its reverse if it has one]. */
  sorts: readonly [S, S?];
  current: S;
  onSort: (s: S) => void;
  w?: number;
}) {
  const [first, reverse] = sorts;
  const at = sorts.indexOf(current);
  const ascending = (s: S) => s.endsWith('_asc');
  const ariaSort = at === -1 ? 'none' : ascending(current) ? 'ascending' : 'descending';
  const next = at === 0 && reverse ? reverse : first;
  return (
    <Table.Th w={w} aria-sort={ariaSort}>
      <UnstyledButton
        onClick={() => onSort(next)}
        fw={600}
        fz="sm"
        aria-label={typeof label === 'string' ? `Sort by ${label}` : undefined}
      >
        {label}
        {at === -1 ? '' : ascending(current) ? ' ↑' : ' ↓'}
      </UnstyledButton>
    </Table.Th>
  );
}
