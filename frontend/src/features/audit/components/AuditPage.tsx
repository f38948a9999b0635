import { Anchor, Code, Collapse, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { ChangeDiff } from '../../../components/ChangeDiff';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { useRecordNames } from '../../../lib/activity';
import type { RecordRef } from '../../../lib/activity';
import type { Schemas } from '../../../lib/api/client';
import { can } from '../../../lib/authorization';
import { actorLabel, auditFieldChanges, diffLines } from '../../../lib/changes';
import type { ValueResolver } from '../../../lib/changes';
import { usePipelineNames } from '../../../lib/pipelines';
import { recordPath } from '../../../lib/search';
import type { SearchKind } from '../../../lib/search';
import { useMe } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useAuditLog } from '../api/audit';

const ENTITIES = ['tenant', 'membership', 'membership_role', 'role', 'role_permission', 'user', 'company', 'contact', 'deal', 'note', 'task', 'session'];
const ACTIONS = ['insert', 'update', 'delete', 'auth.login', 'auth.login_failed', 'auth.logout', 'auth.refresh_reuse', 'auth.password_changed', 'auth.session_revoked', 'auth.signup', 'auth.switch_tenant'];

export function AuditPage() {
  const [entity, setEntity] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const pager = useCursorPager();
  const log = useAuditLog({ entity: entity ?? undefined, action: action ?? undefined }, pager.cursor);
  const session = useMe().data;
  const me = session?.user;
  const permissions = session?.permissions ?? [];
  const memberName = useMemberName();
  const names = usePipelineNames();
  const records = useRecordNames(linkedRecords(log.data?.items ?? []), (kind) => can(permissions, READ[kind]));
  const resolve: ValueResolver = (field, value) => {
    if (typeof value !== 'string') return undefined;
    if (MEMBER_FIELDS.has(field)) return memberName(value);
    if (field === 'stage_id') return names.data?.stages.get(value);
    if (field === 'pipeline_id') return names.data?.pipelines.get(value);
    if (field in LINK_FIELDS) return records.get(value);
    return undefined;
  };

  return (
    <>
      <Title order={2} mb="md">
        Audit log
      </Title>
      <Group mb="sm">
        <Select placeholder="Any entity" aria-label="Entity" clearable data={ENTITIES} value={entity} onChange={(v) => { setEntity(v); pager.reset(); }} />
        <Select placeholder="Any action" aria-label="Action" clearable data={ACTIONS} value={action} onChange={(v) => { setAction(v); pager.reset(); }} />
      </Group>
      <QueryState isPending={log.isPending} error={log.error} retry={() => log.refetch()}>
        <Table striped data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Entity</Table.Th>
              <Table.Th>Changes</Table.Th>
              <Table.Th>Actor</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {log.data?.items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{new Date(e.occurred_at).toLocaleString()}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>
                  <EntityCell entry={e} />
                </Table.Td>
                <Table.Td>
                  <Changes entry={e} resolve={resolve} />
                </Table.Td>
                <Table.Td title={e.actor_id ?? undefined}>{actorLabel(e.actor_id, e.actor_name, me)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Pager pager={pager} nextCursor={log.data?.next_cursor} />
      </QueryState>
    </>
  );
}

type Entry = Schemas['AuditEntry'];

const READ = { company: 'companies:read', contact: 'contacts:read', deal: 'deals:read' } as const;

/** Fields holding a record's id, shown by the record's name when the caller may read it. */
const LINK_FIELDS: Record<string, SearchKind> = { company_id: 'company', contact_id: 'contact', deal_id: 'deal' };

/** The companies, contacts and deals the data changes of a page point to. */
function linkedRecords(entries: readonly Entry[]): RecordRef[] {
  const out: RecordRef[] = [];
  for (const e of entries) {
    for (const c of auditFieldChanges(e.action, e.changes) ?? []) {
      const kind = LINK_FIELDS[c.field];
      if (!kind) continue;
      for (const v of [c.old, c.new]) if (typeof v === 'string') out.push({ kind, id: v });
    }
  }
  return out;
}

/** Fields holding a member's id, shown by name. */
const MEMBER_FIELDS = new Set(['owner_id', 'assignee_id', 'user_id', 'created_by']);

const RECORD_KINDS: Record<string, SearchKind> = { company: 'company', contact: 'contact', deal: 'deal' };

/** The entity, linking to the record's page when it is a company, contact or deal that still exists. */
function EntityCell({ entry }: { entry: Entry }) {
  const kind = RECORD_KINDS[entry.entity];
  if (!kind || !entry.record_id || entry.action === 'delete') return <>{entry.entity}</>;
  return (
    <Anchor component={Link} to={recordPath(kind, entry.record_id)} size="sm">
      {entry.entity}
    </Anchor>
  );
}

/** A data change field by field (old → new); a security event's details as JSON, folded. */
function Changes({ entry, resolve }: { entry: Entry; resolve: ValueResolver }) {
  const fields = auditFieldChanges(entry.action, entry.changes);
  if (fields) {
    const lines = diffLines(entry.action, fields, resolve);
    return lines.length ? (
      <ChangeDiff lines={lines} />
    ) : (
      <Text size="sm" c="dimmed">
        No visible fields
      </Text>
    );
  }
  return <RawDetails value={entry.changes} />;
}

function RawDetails({ value }: { value: unknown }) {
  const [opened, { toggle }] = useDisclosure(false);
  if (value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0)) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={4} align="flex-start">
      <Anchor component="button" type="button" size="sm" onClick={toggle} aria-expanded={opened}>
        {opened ? 'Hide details' : 'Show details'}
      </Anchor>
      <Collapse in={opened}>
        <Code block maw={420} data-testid="raw-details">
          {JSON.stringify(value, null, 2)}
        </Code>
      </Collapse>
    </Stack>
  );
}
