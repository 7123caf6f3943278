import { Alert, Button, Code, CopyButton, Group, Stack, Table, Text } from '@mantine/core';
import { Dialog } from '../../../components/dialog';
import { tokensText } from './reasons';

/** A rotated token's new value, for the one time it is shown. */
export interface NewValue {
  id: string;
  name: string;
  type: 'public' | 'private';
  value: string;
}

/**
 * The new values of a bulk rotation, shown once: each token's name, its value and a copy button. Held only
 * in component state, never stored; gone when the dialog closes.
 */
export function NewValuesDialog({ values, onClose }: { values: NewValue[]; onClose: () => void }) {
  return (
    <Dialog
      opened
      onClose={onClose}
      title={`New values for ${tokensText(values.length)}`}
      size="xl"
      closeOnClickOutside={false}
    >
      <Stack>
        <Alert color="orange" title="Copy them now">
          These values are shown once and will not be shown again. Put each where its token&apos;s old value
          is used, such as your secret manager; the old values stop working as you chose.
        </Alert>
        <Table aria-label="New values" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Token</Table.Th>
              <Table.Th>New value</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {values.map((v) => (
              <Table.Tr key={v.id} data-testid={`new-value-${v.name}`}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {v.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code data-testid="new-value" style={{ wordBreak: 'break-all' }}>
                    {v.value}
                  </Code>
                </Table.Td>
                <Table.Td>
                  <CopyButton value={v.value}>
                    {({ copied, copy }) => (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={copy}
                        aria-label={`Copy the new value of ${v.name}`}
                      >
                        {copied ? 'Copied' : 'Copy'}
                      </Button>
                    )}
                  </CopyButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          Send a value in a header, Authorization: Bearer &lt;token&gt;; keep private values out of URLs (they
          end up in logs and browser history).
        </Text>
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Dialog>
  );
}
