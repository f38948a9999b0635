// The panels of a record's page: the timeline reads its pages newest first
// ("Load more" follows next_cursor) and says who changed what; notes are
// text, never HTML; a missing record is told apart from a failure.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../lib/api/client';
import type { Permission } from '../lib/authorization';
import { NotesPanel } from './NotesPanel';
import { isNotFound } from './RecordDetail';
import { TasksPanel } from './TasksPanel';
import { TimelinePanel } from './TimelinePanel';

const server = vi.hoisted(() => {
  const at = (minute: number) => `2026-11-29T10:${String(minute).padStart(2, '0')}:00Z`;
  return {
    permissions: [] as Permission[],
    gets: [] as { path: string; query: Record<string, unknown> }[],
    sent: [] as { method: string; path: string; body: unknown }[],
    respond(path: string, query: Record<string, unknown>): unknown {
      if (path === '/api/users') {
        const user = (id: string, name: string, active = true) => ({ id, name, email: `${id}@example.test`, active });
        return { items: [user('u-me', 'Olivia Owner'), user('u-tom', 'Tom Teammate'), user('u-gone', 'Gina Gone', false)], next_cursor: null };
      }
      if (path === '/api/tasks') return { items: [], next_cursor: null };
      if (path === '/api/deals/{id}/timeline') {
        if (!query.cursor) {
          return {
            items: [
              { kind: 'note', id: 'n1', at: at(3), actor_id: 'u-me', actor_name: 'Olivia Owner', body: 'Line one\n<b>two</b>' },
              { kind: 'task', id: 't1', at: at(2), actor_id: 'u-me', actor_name: 'Olivia Owner', title: 'Call back', due_date: '2026-01-01', done: false },
              { kind: 'change', id: 'a2', at: at(1), actor_id: 'u-tom', actor_name: null, action: 'update', changes: [{ field: 'stage_id', old: 's1', new: 's2' }] },
            ],
            next_cursor: 'page-2',
          };
        }
        return { items: [{ kind: 'change', id: 'a1', at: at(0), actor_id: null, actor_name: null, action: 'insert', changes: [{ field: 'name', old: null, new: 'Acme' }] }], next_cursor: null };
      }
      if (path === '/api/notes') {
        return {
          items: [
            { id: 'n1', body: 'Mine\n<i>raw</i>', owner_id: 'u-me', deal_id: 'd1', created_at: at(3), updated_at: at(3) },
            { id: 'n2', body: 'Theirs', owner_id: 'u-tom', deal_id: 'd1', created_at: at(2), updated_at: at(2) },
          ],
          next_cursor: null,
        };
      }
      throw new Error(`unexpected GET ${path}`);
    },
  };
});

vi.mock('../lib/session', async (original) => ({
  ...(await original<typeof import('../lib/session')>()),
  usePermissions: () => server.permissions,
  useMe: () => ({ data: { user: { id: 'u-me', name: 'Olivia Owner', email: 'me@example.test' }, permissions: server.permissions } }),
}));

vi.mock('../lib/api/client', async (original) => {
  const real = await original<typeof import('../lib/api/client')>();
  const GET = async (path: string, init?: { params?: { query?: Record<string, unknown> } }) => {
    const query = init?.params?.query ?? {};
    server.gets.push({ path, query });
    return { data: server.respond(path, query), response: new Response(null, { status: 200 }) };
  };
  const send = (method: string) => async (path: string, init: { body: unknown }) => {
    server.sent.push({ method, path, body: init.body });
    return { data: { id: 'x', ...(init.body as object) }, response: new Response(null, { status: method === 'POST' ? 201 : 200 }) };
  };
  return { ...real, api: { GET, POST: send('POST'), PATCH: send('PATCH') } };
});

function renderWith(ui: ReactNode) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter>{ui}</MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

beforeEach(() => {
  server.gets = [];
  server.sent = [];
  server.permissions = ['deals:read', 'notes:read', 'notes:write', 'notes:delete'];
});
afterEach(cleanup);

describe('record activity', () => {
  it('shows the timeline newest first, names the actors, diffs the fields, and loads more', async () => {
    const stages: Record<string, string> = { s1: 'Lead', s2: 'Won' };
    renderWith(<TimelinePanel record={{ kind: 'deal', id: 'd1' }} resolve={(field, value) => (field === 'stage_id' ? stages[String(value)] : undefined)} />);
    await screen.findByText('Olivia Owner added a note');
    const items = () => screen.getAllByTestId('timeline-item');
    expect(items().map((i) => i.dataset.kind)).toEqual(['note', 'task', 'change']);
    expect(screen.getByText('Task for Olivia Owner: Call back')).toBeTruthy();
    expect(screen.getByText('User u-tom updated')).toBeTruthy();
    expect(within(items()[2]).getByTestId('change-line').getAttribute('title')).toBe('Stage: Lead → Won');
    // The note is text: its markup is shown, not rendered.
    expect(within(items()[0]).getByText(/<b>two<\/b>/)).toBeTruthy();
    expect(items()[0].querySelector('b')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('System created');
    expect(server.gets.filter((g) => g.path === '/api/deals/{id}/timeline').map((g) => g.query.cursor)).toEqual([undefined, 'page-2']);
    expect(items().map((i) => i.dataset.kind)).toEqual(['note', 'task', 'change', 'change']);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
  });

  it('lists notes as text, offering Delete on one’s own only', async () => {
    renderWith(<NotesPanel record={{ kind: 'deal', id: 'd1' }} />);
    const notes = await screen.findAllByTestId('note');
    expect(server.gets.find((g) => g.path === '/api/notes')?.query).toMatchObject({ deal_id: 'd1' });
    expect(notes).toHaveLength(2);
    expect(within(notes[0]).getByText(/<i>raw<\/i>/)).toBeTruthy();
    expect(within(notes[0]).getByRole('button', { name: 'Delete' })).toBeTruthy();
    expect(within(notes[1]).queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.getByRole('textbox', { name: 'New note' })).toBeTruthy();
  });

  it('edits one’s own note in place', async () => {
    renderWith(<NotesPanel record={{ kind: 'deal', id: 'd1' }} />);
    const notes = await screen.findAllByTestId('note');
    expect(within(notes[1]).queryByRole('button', { name: 'Edit' })).toBeNull();
    fireEvent.click(within(notes[0]).getByRole('button', { name: 'Edit' }));
    const box = within(notes[0]).getByRole('textbox', { name: 'Edit note' }) as HTMLTextAreaElement;
    expect(box.value).toBe('Mine\n<i>raw</i>');
    fireEvent.change(box, { target: { value: 'Mine, edited' } });
    fireEvent.click(within(notes[0]).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.sent).toEqual([{ method: 'PATCH', path: '/api/notes/{id}', body: { body: 'Mine, edited' } }]));
    await waitFor(() => expect(within(notes[0]).queryByRole('textbox', { name: 'Edit note' })).toBeNull());
  });

  it('offers no Edit without notes:write', async () => {
    server.permissions = ['notes:read', 'notes:delete'];
    renderWith(<NotesPanel record={{ kind: 'deal', id: 'd1' }} />);
    await screen.findAllByTestId('note');
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('assigns a new task to the member picked, the caller by default', async () => {
    server.permissions = ['tasks:read', 'tasks:write', 'users:read'];
    renderWith(<TasksPanel record={{ kind: 'deal', id: 'd1' }} />);
    const assignee = (await screen.findByRole('combobox', { name: 'Assignee' })) as HTMLSelectElement;
    expect(assignee.value).toBe('u-me');
    expect([...assignee.options].map((o) => o.textContent)).toEqual(['Olivia Owner', 'Tom Teammate']);
    fireEvent.change(screen.getByLabelText('New task'), { target: { value: 'Mine' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add task' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0].body).toEqual({ title: 'Mine', due_date: null, deal_id: 'd1' });
    fireEvent.change(assignee, { target: { value: 'u-tom' } });
    fireEvent.change(screen.getByLabelText('New task'), { target: { value: 'For Tom' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add task' }));
    await waitFor(() => expect(server.sent).toHaveLength(2));
    expect(server.sent[1].body).toEqual({ title: 'For Tom', due_date: null, deal_id: 'd1', assignee_id: 'u-tom' });
  });

  it('adds a task for the caller, with no member list, without users:read', async () => {
    server.permissions = ['tasks:read', 'tasks:write'];
    renderWith(<TasksPanel record={{ kind: 'deal', id: 'd1' }} />);
    fireEvent.change(await screen.findByLabelText('New task'), { target: { value: 'Mine' } });
    expect(screen.queryByRole('combobox', { name: 'Assignee' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add task' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0].body).toEqual({ title: 'Mine', due_date: null, deal_id: 'd1' });
    expect(server.gets.some((g) => g.path === '/api/users')).toBe(false);
  });

  it('hides notes from a caller without notes:read, and the box from one without notes:write', async () => {
    server.permissions = ['deals:read'];
    const { container } = renderWith(<NotesPanel record={{ kind: 'deal', id: 'd1' }} />);
    expect(container.querySelector('[data-testid="notes-panel"]')).toBeNull();
    cleanup();
    server.permissions = ['notes:read'];
    renderWith(<NotesPanel record={{ kind: 'deal', id: 'd1' }} />);
    await screen.findAllByTestId('note');
    expect(screen.queryByRole('textbox', { name: 'New note' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('tells a missing record from a failure', () => {
    expect(isNotFound(new ApiError(404, 'Not found'))).toBe(true);
    expect(isNotFound(new ApiError(400, 'Bad id'))).toBe(true);
    expect(isNotFound(new ApiError(500, 'Boom'))).toBe(false);
    expect(isNotFound(new Error('offline'))).toBe(false);
    expect(isNotFound(null)).toBe(false);
  });
});
