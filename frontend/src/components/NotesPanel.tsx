import { Button, Group, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';

import { useAddNote, useDeleteNote, useNotes } from '../lib/activity';
import type { RecordRef } from '../lib/activity';
import { can } from '../lib/authorization';
import { useMe } from '../lib/session';
import { useMemberName } from '../lib/users';
import { ErrorBanner } from './PageHeader';
import { QueryState } from './QueryState';
import { Section } from './RecordDetail';

/**
 * The notes on a record, newest first: who wrote each and when, the text as
 * written (plain text, line breaks kept — never rendered as HTML), a box to
 * add one (notes:write) and Delete on one's own notes (notes:delete).
 */
export function NotesPanel({ record }: { record: RecordRef }) {
  const me = useMe().data;
  const permissions = me?.permissions ?? [];
  const notes = useNotes(record, can(permissions, 'notes:read'));
  const add = useAddNote(record);
  const remove = useDeleteNote();
  const authorName = useMemberName();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);

  if (!can(permissions, 'notes:read')) return null;
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    setError(null);
    add.mutate(draft, { onSuccess: () => setDraft(''), onError: (e) => setError(e.message) });
  };

  return (
    <Section title="Notes" testId="notes-panel">
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {can(permissions, 'notes:write') && (
        <form onSubmit={submit}>
          <Stack gap="xs" mb="md">
            <Textarea
              aria-label="New note"
              placeholder="Write a note…"
              autosize
              minRows={2}
              maxRows={10}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
              }}
            />
            <Group justify="flex-end">
              <Button type="submit" size="xs" loading={add.isPending} disabled={!draft.trim()}>
                Add note
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      <QueryState isPending={notes.isPending} error={notes.error} retry={() => notes.refetch()}>
        {notes.data?.items.length === 0 && (
          <Text size="sm" c="dimmed">
            No notes yet.
          </Text>
        )}
        <Stack gap="xs">
          {notes.data?.items.map((note) => (
            <Paper key={note.id} withBorder p="sm" radius="sm" bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))" data-testid="note">
              <Group justify="space-between" wrap="nowrap" gap="xs" mb={4}>
                <Text size="xs" c="dimmed">
                  {authorName(note.owner_id)} · {new Date(note.created_at).toLocaleString()}
                </Text>
                {can(permissions, 'notes:delete') && me && note.owner_id === me.user.id && (
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    loading={remove.isPending && remove.variables === note.id}
                    onClick={() => window.confirm('Delete this note?') && remove.mutate(note.id, { onError: (e) => setError(e.message) })}
                  >
                    Delete
                  </Button>
                )}
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="note-body">
                {note.body}
              </Text>
            </Paper>
          ))}
        </Stack>
      </QueryState>
    </Section>
  );
}
