import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { Dialog } from '../../components/dialog';
import { timeText } from '../tokens/token-status';

/** A signing secret to show once: after Add endpoint, and after Rotate secret. */
export interface RevealedSecret {
  url: string;
  secret: string;
  /** Set after a rotation: until when the replaced secret also signs. */
  previousSecretExpiresAt?: string | null;
}

/**
 * The one-time reveal of an endpoint's signing secret (`whsec_…`), with a copy button. Held only in
 * component state, never stored: the server keeps it for signing and never hands it out again.
 */
export function SecretDialog({
  url,
  secret,
  previousSecretExpiresAt,
  onClose,
}: RevealedSecret & { onClose: () => void }) {
  return (
    <Dialog
      opened
      onClose={onClose}
      title={previousSecretExpiresAt ? 'New signing secret' : 'Signing secret'}
      size="lg"
      closeOnClickOutside={false}
    >
      <Stack>
        <Alert color="orange" title="Store it now">
          This secret will not be shown again. Store it where your receiver can read it, such as your secret
          manager.
        </Alert>
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          For {url}
        </Text>
        <Code block data-testid="revealed-secret" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Code>
        {previousSecretExpiresAt && (
          <Text size="sm" data-testid="previous-secret-note">
            The previous secret also signs every delivery until {timeText(previousSecretExpiresAt)}, so your
            receiver can switch to the new one without missing any.
          </Text>
        )}
        <Text size="xs" c="dimmed">
          Verify each delivery&apos;s webhook-signature header with it, e.g. with a Standard Webhooks library:
          new Webhook(secret).verify(body, headers).
        </Text>
        <Group justify="flex-end">
          <CopyButton value={secret}>
            {({ copied, copy }) => <Button onClick={copy}>{copied ? 'Copied' : 'Copy secret'}</Button>}
          </CopyButton>
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Dialog>
  );
}
