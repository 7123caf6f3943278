import {
  Alert,
  Anchor,
  Button,
  Center,
  Loader,
  Paper,
  PasswordInput,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk, ApiError, errorMessage, setCsrfToken } from '../../api/client';
import { keys, meQuery, useMe } from '../../api/queries';
import { takeFragmentToken } from './fragment-token';

/**
 * Accepting an invitation. The server never checks a password here (that would make it a password oracle):
 * someone signed in joins with their session; a newcomer creates an account (the server does so only if the
 * address has none, and answers the same either way), then signs in like everyone else, then joins with
 * that session. Someone who already has an account signs in with it, then joins.
 */
export function AcceptInvitePage() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [token] = useState(takeFragmentToken);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'new' | 'existing'>('new');
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => call(lk.POST('/api/v1/invitations/lookup', { body: { token } })),
    enabled: token !== '',
    retry: false,
  });
  const me = useMe();
  const signedIn = me.data?.kind === 'session' ? me.data.user : null;

  /** With a session (just made, or the one the browser had): join, then open the org. */
  async function joinWithSession() {
    const joined = await call(lk.POST('/api/v1/invitations/accept', { body: { token } }));
    const orgId = 'orgId' in joined ? joined.orgId : undefined;
    const fresh = await qc.fetchQuery({ ...meQuery, staleTime: 0 });
    const org = fresh.orgs.find((o) => o.id === orgId);
    await navigate(org ? { to: '/orgs/$org/members', params: { org: org.slug } } : { to: '/' });
  }
  async function signIn(email: string, password: string) {
    const res = await call(lk.POST('/api/v1/auth/login', { body: { email, password } }));
    setCsrfToken(res.csrfToken);
  }
  const attempt = async (steps: () => Promise<void>) => {
    setError(null);
    try {
      await steps();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const newcomer = useForm({
    initialValues: { name: '', password: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name.'),
      password: (v) => (v.length >= 10 ? null : 'At least 10 characters.'),
    },
  });
  const createAndJoin = newcomer.onSubmit((v) =>
    attempt(async () => {
      // Without a session the answer is always 202 {next: 'sign_in', email}.
      const answer = await call(
        lk.POST('/api/v1/invitations/accept', { body: { token, name: v.name, password: v.password } }),
      );
      const email = 'email' in answer ? answer.email : invitation.data!.email;
      try {
        await signIn(email, v.password);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'invalid_credentials') {
          // The address already had an account (the server does not say so): its own password is needed.
          setTab('existing');
          throw new Error(`If you already have an account for ${email}, sign in with it to accept.`);
        }
        throw e;
      }
      await joinWithSession();
    }),
  );
  const existing = useForm({ initialValues: { password: '' } });
  const signInAndJoin = existing.onSubmit((v) =>
    attempt(async () => {
      await signIn(invitation.data!.email, v.password);
      await joinWithSession();
    }),
  );
  const [resetSent, setResetSent] = useState(false);
  const sendReset = () =>
    attempt(async () => {
      await call(lk.POST('/api/v1/auth/password-reset', { body: { email: invitation.data!.email } }));
      setResetSent(true);
    });
  const signOut = () =>
    attempt(async () => {
      await call(lk.POST('/api/v1/auth/logout'));
      setCsrfToken(null);
      qc.removeQueries({ queryKey: keys.me });
      await me.refetch();
    });

  const inv = invitation.data;
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={460} maw="100%">
        <Stack>
          <Title order={3}>Join an organization</Title>
          {!token && <Alert color="yellow">This page needs the invitation link you were sent.</Alert>}
          {invitation.isLoading && <Loader size="sm" />}
          {invitation.error && (
            <Alert color="red" role="alert">
              {errorMessage(invitation.error)}
            </Alert>
          )}
          {inv && (
            <Text size="sm" data-testid="invitation-summary">
              {inv.invitedBy ? `${inv.invitedBy.name} (${inv.invitedBy.email})` : 'An administrator'} invited{' '}
              <b>{inv.email}</b> to join <b>{inv.orgName}</b> as {inv.roleName}.
            </Text>
          )}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {inv && signedIn && signedIn.email === inv.email && (
            <>
              <Text size="sm">You are signed in as {signedIn.email}.</Text>
              <Button onClick={() => void attempt(joinWithSession)}>Join {inv.orgName}</Button>
            </>
          )}
          {inv && signedIn && signedIn.email !== inv.email && (
            <>
              <Alert color="yellow">
                You are signed in as {signedIn.email}, but this invitation is for {inv.email}. Sign out to
                accept it with that address.
              </Alert>
              <Button variant="default" onClick={() => void signOut()}>
                Sign out
              </Button>
            </>
          )}
          {inv && !signedIn && !me.isLoading && (
            <Tabs value={tab} onChange={(t) => setTab(t === 'existing' ? 'existing' : 'new')}>
              <Tabs.List mb="md">
                <Tabs.Tab value="new">I am new to Latchkey</Tabs.Tab>
                <Tabs.Tab value="existing">I have an account</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="new">
                <form onSubmit={createAndJoin}>
                  <Stack>
                    <TextInput label="Your name" required {...newcomer.getInputProps('name')} />
                    <PasswordInput
                      label="Choose a password"
                      autoComplete="new-password"
                      required
                      {...newcomer.getInputProps('password')}
                    />
                    <Button type="submit" loading={newcomer.submitting}>
                      Create account and join
                    </Button>
                  </Stack>
                </form>
              </Tabs.Panel>
              <Tabs.Panel value="existing">
                <form onSubmit={signInAndJoin}>
                  <Stack>
                    <TextInput label="Email" value={inv.email} readOnly autoComplete="username" />
                    <PasswordInput
                      label="Password"
                      autoComplete="current-password"
                      required
                      {...existing.getInputProps('password')}
                    />
                    <Button type="submit" loading={existing.submitting}>
                      Sign in and join
                    </Button>
                    {resetSent ? (
                      <Text size="sm" c="dimmed">
                        If {inv.email} has an account, a link to choose a new password is on its way there.
                      </Text>
                    ) : (
                      <Anchor component="button" type="button" size="sm" onClick={() => void sendReset()}>
                        Forgot your password? E-mail me a reset link
                      </Anchor>
                    )}
                  </Stack>
                </form>
              </Tabs.Panel>
            </Tabs>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
