import { Code, Group, Select, Table, Title } from '@mantine/core';
import { useState } from 'react';

import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { useAuditLog } from '../api/audit';

const ENTITIES = ['tenant', 'membership', 'membership_role', 'role', 'role_permission', 'user', 'company', 'contact', 'session'];
const ACTIONS = ['insert', 'update', 'delete', 'auth.login', 'auth.login_failed', 'auth.logout', 'auth.refresh_reuse', 'auth.password_changed', 'auth.session_revoked', 'auth.signup', 'auth.switch_tenant'];

export function AuditPage() {
  const [entity, setEntity] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const pager = useCursorPager();
  const log = useAuditLog({ entity: entity ?? undefined, action: action ?? undefined }, pager.cursor);

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
                <Table.Td>{e.entity}</Table.Td>
                <Table.Td>
                  <Code block maw={420}>
                    {JSON.stringify(e.changes)}
                  </Code>
                </Table.Td>
                <Table.Td>{e.actor_id?.slice(0, 8)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Pager pager={pager} nextCursor={log.data?.next_cursor} />
      </QueryState>
    </>
  );
}
