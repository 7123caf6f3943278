import { AppShell, Burger, Button, Group, NavLink, Select, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useParams, useRouterState } from '@tanstack/react-router';
import { api, setCsrfToken } from '../api/client';
import { useMe } from '../api/queries';
import { Loading } from './states';

/** The signed-in frame: a left-hand menu (Settings → Members, Tokens, Roles, Audit log), org switcher, sign out. */
export function OrgLayout() {
  const { org } = useParams({ strict: false }) as { org: string };
  const me = useMe();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const [opened, { toggle, close }] = useDisclosure();
  if (me.isPending) return <Loading />;
  const orgs = me.data?.orgs ?? [];
  const current = orgs.find((o) => o.slug === org || o.id === org);

  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    qc.clear();
    await navigate({ to: '/login' });
  };
  const link = (to: string, label: string) => (
    <NavLink
      component={Link}
      to={`/orgs/${org}/${to}`}
      label={label}
      active={path.startsWith(`/orgs/${org}/${to}`)}
      onClick={close}
    />
  );

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={4}>Latchkey</Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {orgs.length > 1 ? (
              <Select
                aria-label="Organization"
                size="xs"
                w={160}
                value={current?.slug ?? null}
                data={orgs.map((o) => ({ value: o.slug, label: o.name }))}
                onChange={(slug) => slug && void navigate({ to: '/orgs/$org/members', params: { org: slug } })}
                allowDeselect={false}
              />
            ) : (
              <Text size="sm" fw={500} visibleFrom="xs">
                {current?.name}
              </Text>
            )}
            <Text size="sm" c="dimmed" visibleFrom="md">
              {me.data?.user?.email}
            </Text>
            <Button size="xs" variant="default" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main menu">
        <NavLink label="Settings" defaultOpened childrenOffset={12}>
          {link('members', 'Members')}
          {link('tokens', 'Tokens')}
          {link('roles', 'Roles')}
          {link('audit', 'Audit log')}
        </NavLink>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
