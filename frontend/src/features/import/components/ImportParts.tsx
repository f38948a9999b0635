import { Alert, Badge, Group, List, Paper, SimpleGrid, Table, Text } from '@mantine/core';

import { ApiError } from '../../../lib/api/client';
import type { ImportStatus, RowError } from '../types';

const STATUS_COLOR: Record<ImportStatus, string> = { draft: 'gray', running: 'blue', completed: 'green', reverted: 'orange' };

export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="light" data-testid="import-status">
      {status}
    </Badge>
  );
}

/** A few counters side by side ("Rows 12", "Created 10", …). */
export function Counts({ items }: { items: { label: string; value: number; color?: string; testId?: string }[] }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: items.length }} spacing="sm" my="md">
      {items.map((item) => (
        <Paper key={item.label} withBorder p="sm" radius="md" data-testid={item.testId}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            {item.label}
          </Text>
          <Text size="xl" fw={700} c={item.value > 0 ? item.color : undefined} data-testid="count-value">
            {item.value.toLocaleString()}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** The refused rows of a file: its record number (the header is row 0), the field and why. */
export function RowErrorsTable({ errors, testId = 'row-errors' }: { errors: RowError[]; testId?: string }) {
  return (
    <>
      <Table striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={80} ta="right">
              Row
            </Table.Th>
            <Table.Th w={180}>Field</Table.Th>
            <Table.Th>Problem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {errors.map((e, i) => (
            <Table.Tr key={`${e.row}-${e.field}-${i}`}>
              <Table.Td ta="right">{e.row}</Table.Td>
              <Table.Td>{e.field ?? '—'}</Table.Td>
              <Table.Td>{e.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {errors.length >= 1000 && (
        <Text size="sm" c="dimmed" mt="xs">
          Only the first 1,000 refused rows are listed.
        </Text>
      )}
    </>
  );
}

/** An error of the API: its detail and, for a 422, each field's message (`mapping`: the mapping's). */
export function ProblemAlert({ error, title = 'The server refused it' }: { error: Error | null; title?: string }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fieldErrors : [];
  return (
    <Alert color="red" title={title} role="alert" my="sm">
      <Text size="sm">{error.message}</Text>
      {fields.length > 0 && (
        <List size="sm" mt="xs">
          {fields.map((f, i) => (
            <List.Item key={i}>
              <Group gap={4} wrap="nowrap" component="span">
                <Text span fw={600} size="sm">
                  {f.field}
                </Text>
                <Text span size="sm">
                  {f.message}
                </Text>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
