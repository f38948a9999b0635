// The one route → permission table (lib/authorization) is what the router
// guards with and what the navigation lists: every navigation entry has a
// route, behind the permission the table names for it.
import { MantineProvider } from '@mantine/core';
import { cleanup, render, screen } from '@testing-library/react';
import { isValidElement } from 'react';
import { MemoryRouter, matchRoutes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { RequirePermission } from '../components/RequirePermission';
import { NAV_ITEMS } from '../lib/authorization';
import type { NavItem, Permission } from '../lib/authorization';
import { routes } from './router';

const held = vi.hoisted((): { permissions: Permission[] } => ({ permissions: [] }));
vi.mock('../lib/session', async (original) => ({
  ...(await original<typeof import('../lib/session')>()),
  usePermissions: () => held.permissions,
}));

afterEach(cleanup);

const table: readonly NavItem[] = NAV_ITEMS;

describe('route table', () => {
  it('lists each path once', () => {
    expect(new Set(table.map((i) => i.to)).size).toBe(table.length);
  });

  it.each(NAV_ITEMS.map((item) => [item.to, item] as const))('routes %s to its screen behind RequirePermission', (to, item) => {
    const matched = matchRoutes(routes, to);
    const leaf = matched?.at(-1)?.route;
    expect(leaf, `no route for ${to}`).toBeDefined();
    expect(leaf?.path).not.toBe('*');
    const element = leaf?.element;
    expect(isValidElement<{ route: string }>(element) && element.type === RequirePermission).toBe(true);
    expect(isValidElement<{ route: string }>(element) && element.props.route).toBe(item.to);
  });

  it('guards no screen that the navigation does not list', () => {
    const guarded = routes.flatMap((r) => r.children ?? []).filter((r) => isValidElement(r.element) && r.element.type === RequirePermission);
    const guardedBy = (r: (typeof guarded)[number]) => (isValidElement<{ route: string }>(r.element) ? r.element.props.route : undefined);
    const lists = guarded.filter((r) => !r.path?.endsWith('/:id'));
    expect(lists).toHaveLength(table.length);
    // A detail page is guarded as its list: /companies/:id as /companies.
    for (const r of guarded.filter((g) => g.path?.endsWith('/:id'))) {
      expect(`/${r.path}`).toBe(`${guardedBy(r)}/:id`);
      expect(table.some((i) => i.to === guardedBy(r))).toBe(true);
    }
  });

  it.each([
    ['/companies/c1', '/companies'],
    ['/contacts/p1', '/contacts'],
    ['/deals/d1', '/deals'],
  ])('routes the detail page %s behind the permission of %s', (path, list) => {
    const leaf = matchRoutes(routes, path)?.at(-1)?.route;
    expect(leaf?.path).toBe(`${list.slice(1)}/:id`);
    const element = leaf?.element;
    expect(isValidElement<{ route: string }>(element) && element.type === RequirePermission && element.props.route).toBe(list);
  });

  it.each(['/import', '/imports'])('routes %s to a page that checks the write permissions itself', (path) => {
    const leaf = matchRoutes(routes, path)?.at(-1)?.route;
    expect(leaf?.path).toBe(path.slice(1));
    expect(isValidElement(leaf?.element) && leaf?.element.type !== RequirePermission).toBe(true);
  });

  it('routes an endpoint’s delivery log behind the permission of the webhooks', () => {
    const element = matchRoutes(routes, '/webhooks/w1')?.at(-1)?.route.element;
    expect(isValidElement<{ route: string }>(element) && element.type === RequirePermission && element.props.route).toBe('/webhooks');
  });

  const guardedItems = NAV_ITEMS.flatMap((item) => {
    const entry: NavItem = item;
    return entry.permission ? [[item.to, entry.permission] as const] : [];
  });

  it.each(guardedItems)('shows %s only with %s', (to, permission) => {
    const all = table.flatMap((i): Permission[] => (i.permission ? [i.permission] : []));
    const view = () =>
      render(
        <MantineProvider>
          <MemoryRouter>
            <RequirePermission route={to}>
              <p>the screen</p>
            </RequirePermission>
          </MemoryRouter>
        </MantineProvider>,
      );

    held.permissions = all.filter((p) => p !== permission);
    view();
    expect(screen.getByTestId('forbidden')).toBeTruthy();
    expect(screen.queryByText('the screen')).toBeNull();
    cleanup();

    held.permissions = [permission];
    view();
    expect(screen.getByText('the screen')).toBeTruthy();
  });
});
