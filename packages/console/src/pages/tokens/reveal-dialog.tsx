import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { Dialog } from '../../components/dialog';
import { useState, type ReactNode } from 'react';

/** A value to show once, and what to say about it. */
export interface Revealed {
  value: string;
  type: 'public' | 'private';
  /** The dialog's title; "Your new token" unless said. */
  title?: string;
  /** More to say, e.g. when the value a rotation replaced retires. */
  note?: ReactNode;
  /** A public value shown again from the list (not a new one). */
  again?: boolean;
}

/**
 * The one-time reveal of a new value (a new token, a rotation, a leaked token's replacement): the full value
 * with a copy button. Held only in component state, never stored.
 */
export function RevealDialog({
  value,
  type,
  title,
  note,
  again,
  onClose,
}: Revealed & { onClose: () => void }) {
  // A private value is shown this once: closing without having copied it asks first.
  const [copiedOnce, setCopiedOnce] = useState(false);
  const [asking, setAsking] = useState(false);
  const close = () => (type === 'private' && !copiedOnce ? setAsking(true) : onClose());
  return (
    <Dialog opened onClose={close} title={title ?? 'Your new token'} size="lg" closeOnClickOutside={false}>
      <Stack>
        {type === 'private' ? (
          <Alert color="orange" title="Copy it now">
            This token will not be shown again. Store it somewhere safe, such as your secret manager.
          </Alert>
        ) : (
          <Alert color="blue" title="Public token">
            {again
              ? 'Public values are meant for web pages: admins can view them again here, from the token list.'
              : 'Embed it in your web pages. Admins can view it again in the token list (Show value in its menu).'}
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
        {asking && (
          <Alert color="red" title="Did you copy it?" role="alert" data-testid="not-copied">
            You have not copied this token, and it will not be shown again: without it you would have to
            rotate the token.
          </Alert>
        )}
        <Group justify="flex-end">
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button
                onClick={() => {
                  copy();
                  setCopiedOnce(true);
                  setAsking(false);
                }}
              >
                {copied ? 'Copied' : 'Copy token'}
              </Button>
            )}
          </CopyButton>
          {asking ? (
            <Button variant="default" color="red" onClick={onClose}>
              Close without copying
            </Button>
          ) : (
            <Button variant="default" onClick={close}>
              Done
            </Button>
          )}
        </Group>
      </Stack>
    </Dialog>
  );
}
