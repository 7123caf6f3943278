import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** One object's facts, a labelled row each (a token's or a service account's page). */
export function FactsTable({ label, facts }: { label: string; facts: [string, ReactNode][] }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder aria-label={label}>
      <Table.Tbody>
        {facts.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th w={160}>{name}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
