import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk, errorMessage, setCsrfToken } from '../../api/client';
import { meQuery } from '../../api/queries';

export function LoginPage() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => call(lk.GET('/api/v1/setup')) });
  const form = useForm({ initialValues: { email: '', password: '' } });
  const [resetSentTo, setResetSentTo] = useState<string | null>(null);
  // Always the same answer: the server never says whether the address has an account.
  const forgot = async () => {
    setError(null);
    if (!form.values.email) return setError('Enter your email first, then ask for a reset link.');
    try {
      await call(lk.POST('/api/v1/auth/password-reset', { body: { email: form.values.email } }));
      setResetSentTo(form.values.email);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const submit = form.onSubmit(async (values) => {
    setError(null);
    try {
      const res = await call(lk.POST('/api/v1/auth/login', { body: values }));
      setCsrfToken(res.csrfToken);
      // A new session: never the /me cached from the one before.
      const me = await qc.fetchQuery({ ...meQuery, staleTime: 0 });
      const first = me.orgs[0];
      await navigate(first ? { to: '/orgs/$org/members', params: { org: first.slug } } : { to: '/' });
    } catch (e) {
      setError(errorMessage(e));
    }
  });

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={380} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Title order={3}>Sign in to Latchkey</Title>
            {setup.data?.pending && (
              <Alert color="blue">
                Latchkey is not set up yet: open the one-time setup link the server printed when it started.
              </Alert>
            )}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.getInputProps('password')}
            />
            <Button type="submit" loading={form.submitting}>
              Sign in
            </Button>
            {resetSentTo ? (
              <Text size="sm" c="dimmed">
                If {resetSentTo} has an account, a link to choose a new password is on its way there.
              </Text>
            ) : (
              <Anchor component="button" type="button" size="sm" onClick={() => void forgot()}>
                Forgot your password?
              </Anchor>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
