import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk, errorMessage, setCsrfToken } from '../../api/client';
import { orgNameError } from '../../validation/forms';
import { takeFragmentToken } from './fragment-token';

/** First run: the one-time link printed by the server creates the first owner and org. */
export function SetupPage() {
  const navigate = useNavigate();
  const [token] = useState(takeFragmentToken);
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { orgName: '', orgSlug: '', name: '', email: '', password: '' },
    validate: {
      orgName: orgNameError,
      orgSlug: (v) =>
        /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(v)
          ? null
          : 'Lower-case letters, digits and "-" (1–40).',
      password: (v) => (v.length >= 10 ? null : 'At least 10 characters.'),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setError(null);
    try {
      const res = await call(lk.POST('/api/v1/setup', { body: { ...values, token } }));
      setCsrfToken(res.csrfToken);
      await navigate({ to: '/orgs/$org/members', params: { org: res.org.slug } });
    } catch (e) {
      setError(errorMessage(e));
    }
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={440} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Title order={3}>Set up Latchkey</Title>
            <Text size="sm" c="dimmed">
              Create your organization and its first owner.
            </Text>
            {!token && (
              <Alert color="yellow">This page needs the one-time setup link printed by the server.</Alert>
            )}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label="Organization name" required {...form.getInputProps('orgName')} />
            <TextInput
              label="Organization slug"
              description="Used in URLs, e.g. acme"
              required
              {...form.getInputProps('orgSlug')}
            />
            <TextInput label="Your name" required {...form.getInputProps('name')} />
            <TextInput label="Email" type="email" required {...form.getInputProps('email')} />
            <PasswordInput
              label="Password"
              description="At least 10 characters"
              required
              {...form.getInputProps('password')}
            />
            <Button type="submit" loading={form.submitting}>
              Create organization
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
