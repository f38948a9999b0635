import { optional } from '../../../components/EntityForm';
import type { FieldSpec } from '../../../components/EntityForm';
import { RecordFormModal } from '../../../components/RecordFormModal';
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
    <RecordFormModal<Company, CompanyInput>
      what="company"
      editing={editing}
      onClose={onClose}
      fields={FIELDS}
      initial={(c) => (c === 'new' ? {} : { name: c.name, domain: c.domain ?? '', industry: c.industry ?? '' })}
      toBody={(v) => ({ name: v.name ?? '', domain: optional(v.domain), industry: optional(v.industry) })}
      save={save.mutateAsync}
    />
  );
}
