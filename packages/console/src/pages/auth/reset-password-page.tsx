import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk, errorMessage } from '../../api/client';
import { takeFragmentToken } from './fragment-token';

/** The link from a password-reset e-mail: choose a new password (every session of the account ends). */
export function ResetPasswordPage() {
  const [token] = useState(takeFragmentToken);
  const [error, setError] = useState<string | null>(null);
  const [doneFor, setDoneFor] = useState<string | null>(null);
  const form = useForm({
    initialValues: { password: '' },
    validate: { password: (v) => (v.length >= 10 ? null : 'At least 10 characters.') },
  });
  const submit = form.onSubmit(async (v) => {
    setError(null);
    try {
      const res = await call(
        lk.POST('/api/v1/auth/password-reset/complete', {
          body: {
            token,
            password: v.password,
          },
        }),
      );
      setDoneFor(res.email);
    } catch (e) {
      setError(errorMessage(e));
    }
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={420} maw="100%">
        <Stack>
          <Title order={3}>Choose a new password</Title>
          {!token && <Alert color="yellow">This page needs the link from the password-reset e-mail.</Alert>}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {doneFor ? (
            <>
              <Text size="sm">
                The password of {doneFor} is set, and every session of the account has ended.
              </Text>
              <Anchor component={Link} to="/login">
                Sign in
              </Anchor>
            </>
          ) : (
            <form onSubmit={submit}>
              <Stack>
                <PasswordInput
                  label="New password"
                  autoComplete="new-password"
                  required
                  {...form.getInputProps('password')}
                />
                <Button type="submit" loading={form.submitting}>
                  Set password
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
