import { SegmentedControl } from '@mantine/core';

import type { Schemas } from '../lib/api/client';

/** Whose records a list shows (the `owner` query parameter). */
export type Owner = Schemas['OwnerFilter'];

export const OWNER_OPTIONS: { value: Owner; label: string }[] = [
  { value: 'me', label: 'Mine' },
  { value: 'team', label: 'My team' },
  { value: 'all', label: 'All' },
];

export function isOwner(value: string): value is Owner {
  return OWNER_OPTIONS.some((o) => o.value === value);
}

/** The words an empty list adds for its owner filter ("No contacts owned by you yet."). */
export function ownerPhrase(owner: Owner): string {
  return { me: ' owned by you', team: ' owned by your team', all: '' }[owner];
}

/** Mine / My team / All: narrows a list to the caller's records, their team's, or every one they may read. */
export function OwnerFilter({ value, onChange }: { value: Owner; onChange: (owner: Owner) => void }) {
  return (
    <SegmentedControl
      aria-label="Owner"
      data-testid="owner-filter"
      data={OWNER_OPTIONS}
      value={value}
      onChange={(v) => isOwner(v) && onChange(v)}
    />
  );
}
