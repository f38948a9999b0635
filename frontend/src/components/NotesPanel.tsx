import { Button, Group, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';

import { useAddNote, useDeleteNote, useNotes, useUpdateNote } from '../lib/activity';
import type { Note, RecordRef } from '../lib/activity';
import { can } from '../lib/authorization';
import { useMe } from '../lib/session';
import { useMemberName } from '../lib/users';
import { ErrorBanner } from './PageHeader';
import { QueryState } from './QueryState';
import { Section } from './RecordDetail';

/**
 * The notes on a record, newest first: who wrote each and when, the text as
 * written (plain text, line breaks kept — never rendered as HTML), a box to
 * add one (notes:write), and Edit (notes:write) and Delete (notes:delete) on
 * one's own notes.
 */
export function NotesPanel({ record }: { record: RecordRef }) {
  const me = useMe().data;
  const permissions = me?.permissions ?? [];
  const notes = useNotes(record, can(permissions, 'notes:read'));
  const add = useAddNote(record);
  const [error, setError] = useState<string | null>(null);

  if (!can(permissions, 'notes:read')) return null;
  const mine = (note: Note) => !!me && note.owner_id === me.user.id;

  return (
    <Section title="Notes" testId="notes-panel">
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {can(permissions, 'notes:write') && (
        <NoteEditor label="New note" placeholder="Write a note…" submitLabel="Add note" busy={add.isPending} onSave={(body, done) => add.mutate(body, { onSuccess: done, onError: (e) => setError(e.message) })} />
      )}
      <QueryState isPending={notes.isPending} error={notes.error} retry={() => notes.refetch()}>
        {notes.data?.items.length === 0 && (
          <Text size="sm" c="dimmed">
            No notes yet.
          </Text>
        )}
        <Stack gap="xs">
          {notes.data?.items.map((note) => (
            <NoteItem key={note.id} note={note} mayEdit={mine(note) && can(permissions, 'notes:write')} mayDelete={mine(note) && can(permissions, 'notes:delete')} onError={setError} />
          ))}
        </Stack>
      </QueryState>
    </Section>
  );
}

/** A text box with its save button (Ctrl/⌘+Enter saves too); `done` clears it once saved. */
function NoteEditor({
  label,
  placeholder,
  initial = '',
  submitLabel,
  busy,
  onSave,
  onCancel,
}: {
  label: string;
  placeholder?: string;
  initial?: string;
  submitLabel: string;
  busy: boolean;
  onSave: (body: string, done: () => void) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (draft.trim()) onSave(draft, () => setDraft(''));
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="xs" mb={onCancel ? 0 : 'md'}>
        <Textarea
          aria-label={label}
          placeholder={placeholder}
          autosize
          minRows={2}
          maxRows={10}
          value={draft}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
            if (e.key === 'Escape' && onCancel) onCancel();
          }}
        />
        <Group justify="flex-end" gap="xs">
          {onCancel && (
            <Button size="xs" variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" size="xs" loading={busy} disabled={!draft.trim() || draft === initial}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** One note: its author and time, its text, and — for its author — Edit (in place) and Delete. */
function NoteItem({ note, mayEdit, mayDelete, onError }: { note: Note; mayEdit: boolean; mayDelete: boolean; onError: (message: string) => void }) {
  const authorName = useMemberName();
  const update = useUpdateNote();
  const remove = useDeleteNote();
  const [editing, setEditing] = useState(false);
  const edited = Date.parse(note.updated_at) - Date.parse(note.created_at) > 1000;
  return (
    <Paper withBorder p="sm" radius="sm" bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))" data-testid="note">
      <Group justify="space-between" wrap="nowrap" gap="xs" mb={4}>
        <Text size="xs" c="dimmed">
          {authorName(note.owner_id)} · {new Date(note.created_at).toLocaleString()}
          {edited && <span title={`Edited ${new Date(note.updated_at).toLocaleString()}`}> · edited</span>}
        </Text>
        {!editing && (
          <Group gap={4} wrap="nowrap">
            {mayEdit && (
              <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)}>
                Edit
              </Button>
            )}
            {mayDelete && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="red"
                loading={remove.isPending}
                onClick={() => window.confirm('Delete this note?') && remove.mutate(note.id, { onError: (e) => onError(e.message) })}
              >
                Delete
              </Button>
            )}
          </Group>
        )}
      </Group>
      {editing ? (
        <NoteEditor
          label="Edit note"
          initial={note.body}
          submitLabel="Save"
          busy={update.isPending}
          onCancel={() => setEditing(false)}
          onSave={(body) => update.mutate({ id: note.id, body }, { onSuccess: () => setEditing(false), onError: (e) => onError(e.message) })}
        />
      ) : (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="note-body">
          {note.body}
        </Text>
      )}
    </Paper>
  );
}
