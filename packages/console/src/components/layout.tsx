import {
  AppShell,
  Burger,
  Button,
  Group,
  NavLink,
  Select,
  Text,
  Title,
  type NavLinkProps,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { createLink, Outlet, useMatchRoute, useNavigate, useParams } from '@tanstack/react-router';
import { forwardRef, type AnchorHTMLAttributes } from 'react';
import { call, lk, setCsrfToken } from '../api/client';
import { useCan, useMe } from '../api/queries';
import { Loading } from './states';

/** A Mantine NavLink that is a router link: `to` + `params`, which the router encodes segment by segment. */
type AnchorNavLinkProps = NavLinkProps & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, keyof NavLinkProps>;
const MenuLink = createLink(
  forwardRef<HTMLAnchorElement, AnchorNavLinkProps>((props, ref) => (
    <NavLink component="a" ref={ref} {...props} />
  )),
);
const MENU = [
  '/orgs/$org/members',
  '/orgs/$org/tokens',
  '/orgs/$org/tokens/hygiene',
  '/orgs/$org/roles',
  '/orgs/$org/audit',
  '/orgs/$org/webhooks',
  '/orgs/$org/settings',
] as const;
type MenuRoute = (typeof MENU)[number];

/**
 * The signed-in frame: a left-hand menu (Settings → Members, Tokens, Token hygiene, Roles, Audit log,
 * Webhooks), org switcher, sign out.
 */
export function OrgLayout() {
  const { org } = useParams({ strict: false }) as { org: string };
  const me = useMe();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const matchRoute = useMatchRoute();
  const [opened, { toggle, close }] = useDisclosure();
  // Webhooks only for whoever may see them (or may: when the console cannot tell, the server decides).
  const canViewWebhooks = useCan(org, 'webhook_endpoints:view');
  if (me.isPending) return <Loading />;
  const orgs = me.data?.orgs ?? [];
  const current = orgs.find((o) => o.slug === org || o.id === org);

  const signOut = async () => {
    await call(lk.POST('/api/v1/auth/logout')).catch(() => undefined);
    setCsrfToken(null);
    qc.clear();
    await navigate({ to: '/login' });
  };
  // The most specific entry the page is under: a token's page is under Tokens, the hygiene page only
  // under Token hygiene (so the router must not mark Tokens current by prefix there either).
  const here = MENU.filter((to) => matchRoute({ to, params: { org }, fuzzy: true })).sort(
    (a, b) => b.length - a.length,
  )[0];
  // Route + params, never a path pasted together: the router encodes the org as one segment.
  const link = (to: MenuRoute, label: string) => (
    <MenuLink
      to={to}
      params={{ org }}
      label={label}
      active={to === here}
      activeOptions={{ exact: to !== here }}
      onClick={close}
    />
  );

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
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
                onChange={(slug) =>
                  slug && void navigate({ to: '/orgs/$org/members', params: { org: slug } })
                }
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
        {/* A button, not Mantine's default <a> without href: focusable, and its aria-expanded is allowed. */}
        <NavLink component="button" label="Settings" defaultOpened childrenOffset={12}>
          {link('/orgs/$org/members', 'Members')}
          {link('/orgs/$org/tokens', 'Tokens')}
          {link('/orgs/$org/tokens/hygiene', 'Token hygiene')}
          {link('/orgs/$org/roles', 'Roles')}
          {link('/orgs/$org/audit', 'Audit log')}
          {(canViewWebhooks === true || canViewWebhooks === null) && link('/orgs/$org/webhooks', 'Webhooks')}
          {link('/orgs/$org/settings', 'Organization')}
        </NavLink>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
