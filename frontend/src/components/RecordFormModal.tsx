import { Modal } from '@mantine/core';

import { changedFields, EntityForm } from './EntityForm';
import type { FieldSpec, FormValues } from './EntityForm';

/** A save of a record: an edit (`id`, only the changed fields) or a create. */
export type RecordSave<I> = { id: string; body: Partial<I> } | { id?: undefined; body: I };

/**
 * Creates a record (`editing` is `'new'`) or edits one, sending only the
 * changed fields; closed when `editing` is null. `what` names the record
 * ("company") in the title.
 */
export function RecordFormModal<R extends { id: string }, I extends object>({
  what,
  editing,
  onClose,
  fields,
  initial,
  toBody,
  save,
}: {
  what: string;
  editing: R | 'new' | null;
  onClose: () => void;
  fields: FieldSpec<I>[];
  initial: (editing: R | 'new') => FormValues<I>;
  toBody: (values: FormValues<I>) => I;
  save: (save: RecordSave<I>) => Promise<unknown>;
}) {
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing === 'new' ? `New ${what}` : `Edit ${what}`}>
      {editing !== null && (
        <EntityForm<I>
          fields={fields}
          initial={initial(editing)}
          toBody={toBody}
          submitLabel={editing === 'new' ? 'Create' : 'Save'}
          onCancel={onClose}
          onSubmit={async (body) => {
            await save(editing === 'new' ? { body } : { id: editing.id, body: changedFields(editing as Partial<Record<keyof I, unknown>>, body) });
            onClose();
          }}
        />
      )}
    </Modal>
  );
}
