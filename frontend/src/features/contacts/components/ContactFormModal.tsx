import { Modal } from '@mantine/core';

import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import { useSaveContact } from '../api/contacts';
import type { Contact, ContactInput } from '../api/contacts';

/**
 * Creates a contact (`'new'`, at `companyId` when given) or edits one,
 * sending only the changed fields; closed when `editing` is null. The
 * company is picked from `companies` when the caller may read them.
 */
export function ContactFormModal({
  editing,
  onClose,
  companies,
  companyId,
}: {
  editing: Contact | 'new' | null;
  onClose: () => void;
  companies: { value: string; label: string }[] | undefined;
  companyId?: string | null;
}) {
  const save = useSaveContact();
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing === 'new' ? 'New contact' : 'Edit contact'}>
      {editing !== null && (
        <EntityForm<ContactInput>
          fields={[
            { name: 'first_name', label: 'First name', required: true },
            { name: 'last_name', label: 'Last name' },
            { name: 'email', label: 'Email', type: 'email' },
            { name: 'phone', label: 'Phone' },
            ...(companies ? [{ name: 'company_id' as const, label: 'Company', options: companies }] : []),
          ]}
          initial={
            editing === 'new'
              ? { company_id: companyId ?? '' }
              : {
                  first_name: editing.first_name,
                  last_name: editing.last_name ?? '',
                  email: editing.email ?? '',
                  phone: editing.phone ?? '',
                  company_id: editing.company_id ?? '',
                }
          }
          toBody={(v) => ({
            first_name: v.first_name ?? '',
            last_name: optional(v.last_name),
            email: optional(v.email),
            phone: optional(v.phone),
            company_id: optional(v.company_id),
          })}
          submitLabel={editing === 'new' ? 'Create' : 'Save'}
          onCancel={onClose}
          onSubmit={async (body) => {
            await save.mutateAsync(editing === 'new' ? { body } : { id: editing.id, body: changedFields(editing, body) });
            onClose();
          }}
        />
      )}
    </Modal>
  );
}
