import { Paper, SimpleGrid, Text, Title } from '@mantine/core';

import { QueryState } from '../../../components/QueryState';
import { useMe } from '../../../lib/session';
import { useCounts } from '../api/counts';

export function DashboardPage() {
  const me = useMe();
  const counts = useCounts(me.data?.permissions ?? []);
  const tiles = [
    { label: 'Companies', value: counts.data?.companies },
    { label: 'Contacts', value: counts.data?.contacts },
    { label: 'Members', value: counts.data?.users },
  ].filter((t) => t.value !== null);
  return (
    <>
      <Title order={2} mb="md">
        {me.data?.tenant.name}
      </Title>
      <Text c="dimmed" mb="md">
        Signed in as {me.data?.user.email} ({me.data?.roles.join(', ')})
      </Text>
      <QueryState isPending={counts.isPending} error={counts.error} retry={() => counts.refetch()}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} data-testid="dashboard">
          {tiles.map((t) => (
            <Paper key={t.label} withBorder p="md">
              <Text c="dimmed" size="sm">
                {t.label}
              </Text>
              <Text fw={700} size="xl">
                {t.value}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
      </QueryState>
    </>
  );
}
