import { optional } from '../../../components/EntityForm';
import { RecordFormModal } from '../../../components/RecordFormModal';
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
    <RecordFormModal<Contact, ContactInput>
      what="contact"
      editing={editing}
      onClose={onClose}
      fields={[
        { name: 'first_name', label: 'First name', required: true },
        { name: 'last_name', label: 'Last name' },
        { name: 'email', label: 'Email', type: 'email' },
        { name: 'phone', label: 'Phone' },
        ...(companies ? [{ name: 'company_id' as const, label: 'Company', options: companies }] : []),
      ]}
      initial={(c) =>
        c === 'new'
          ? { company_id: companyId ?? '' }
          : { first_name: c.first_name, last_name: c.last_name ?? '', email: c.email ?? '', phone: c.phone ?? '', company_id: c.company_id ?? '' }
      }
      toBody={(v) => ({
        first_name: v.first_name ?? '',
        last_name: optional(v.last_name),
        email: optional(v.email),
        phone: optional(v.phone),
        company_id: optional(v.company_id),
      })}
      save={save.mutateAsync}
    />
  );
}
