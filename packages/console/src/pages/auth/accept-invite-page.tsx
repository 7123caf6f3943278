import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, errorMessage, setCsrfToken } from '../../api/client';
import { keys } from '../../api/queries';
import type { Me } from '../../api/types';
import { takeFragmentToken } from './fragment-token';
import { apiPath } from '../../api/path';

/** Accepting an invitation: new people choose a name and password; existing users sign in with theirs. */
export function AcceptInvitePage() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [token] = useState(takeFragmentToken);
  const [error, setError] = useState<string | null>(null);
  const form = useForm({ initialValues: { name: '', password: '' } });
  const submit = form.onSubmit(async (values) => {
    setError(null);
    try {
      const res = await api<{ orgId: string; csrfToken: string }>('POST', apiPath`/invitations/accept`, { token, password: values.password, ...(values.name ? { name: values.name } : {}) });
      setCsrfToken(res.csrfToken);
      const me = await qc.fetchQuery({ queryKey: keys.me, queryFn: () => api<Me>('GET', apiPath`/me`) });
      const org = me.orgs.find((o) => o.id === res.orgId);
      await navigate(org ? { to: '/orgs/$org/members', params: { org: org.slug } } : { to: '/' });
    } catch (e) {
      setError(errorMessage(e));
    }
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={420} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Title order={3}>Join an organization</Title>
            <Text size="sm" c="dimmed">
              New to Latchkey? Choose your name and a password. Already have an account? Leave the name empty and enter your password.
            </Text>
            {!token && <Alert color="yellow">This page needs the invitation link you were sent.</Alert>}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label="Your name" {...form.getInputProps('name')} />
            <PasswordInput label="Password" required {...form.getInputProps('password')} />
            <Button type="submit" loading={form.submitting}>
              Accept invitation
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
