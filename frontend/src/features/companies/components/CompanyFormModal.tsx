import { Modal } from '@mantine/core';

import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import type { FieldSpec } from '../../../components/EntityForm';
import { useSaveCompany } from '../api/companies';
import type { Company, CompanyInput } from '../api/companies';

const FIELDS: FieldSpec<CompanyInput>[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'domain', label: 'Domain' },
  { name: 'industry', label: 'Industry' },
];

/** Creates a company (`'new'`) or edits one, sending only the changed fields; closed when `editing` is null. */
export function CompanyFormModal({ editing, onClose }: { editing: Company | 'new' | null; onClose: () => void }) {
  const save = useSaveCompany();
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing === 'new' ? 'New company' : 'Edit company'}>
      {editing !== null && (
        <EntityForm
          fields={FIELDS}
          initial={editing === 'new' ? {} : { name: editing.name, domain: editing.domain ?? '', industry: editing.industry ?? '' }}
          toBody={(v) => ({ name: v.name ?? '', domain: optional(v.domain), industry: optional(v.industry) })}
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
