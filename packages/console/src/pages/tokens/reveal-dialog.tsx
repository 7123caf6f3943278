import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { Dialog } from '../../components/dialog';
import type { ReactNode } from 'react';

/** A value to show once, and what to say about it. */
export interface Revealed {
  value: string;
  type: 'public' | 'private';
  /** The dialog's title; "Your new token" unless said. */
  title?: string;
  /** More to say, e.g. when the value a rotation replaced retires. */
  note?: ReactNode;
}

/**
 * The one-time reveal of a new value (a new token, a rotation, a leaked token's replacement): the full value
 * with a copy button. Held only in component state, never stored.
 */
export function RevealDialog({ value, type, title, note, onClose }: Revealed & { onClose: () => void }) {
  return (
    <Dialog opened onClose={onClose} title={title ?? 'Your new token'} size="lg" closeOnClickOutside={false}>
      <Stack>
        {type === 'private' ? (
          <Alert color="orange" title="Copy it now">
            This token will not be shown again. Store it somewhere safe, such as your secret manager.
          </Alert>
        ) : (
          <Alert color="blue" title="Public token">
            Embed it in your web pages. Admins can view it again in the token list.
          </Alert>
        )}
        <Code block data-testid="revealed-token" style={{ wordBreak: 'break-all' }}>
          {value}
        </Code>
        {note}
        <Text size="xs" c="dimmed" data-testid="how-to-send">
          {type === 'private'
            ? 'Send it in a header, Authorization: Bearer <token>, from your back end only. Keep it out of URLs: they end up in logs and browser history.'
            : 'Send it as Authorization: Bearer <token>; where a request cannot carry a header (an <img> or <script> URL), ?bearer_token=<token> works for public tokens.'}
        </Text>
        <Group justify="flex-end">
          <CopyButton value={value}>
            {({ copied, copy }) => <Button onClick={copy}>{copied ? 'Copied' : 'Copy token'}</Button>}
          </CopyButton>
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Dialog>
  );
}
