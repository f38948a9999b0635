import { Group, Stack, Text } from '@mantine/core';

import { diffLineText, EMPTY_VALUE } from '../lib/changes';
import type { DiffLine } from '../lib/changes';

const OLD = 'light-dark(var(--mantine-color-red-8), var(--mantine-color-red-4))';
const NEW = 'light-dark(var(--mantine-color-green-9), var(--mantine-color-green-4))';
const WRAP = { whiteSpace: 'pre-wrap', wordBreak: 'break-word' } as const;

/**
 * A change field by field: "Label  old → new" (a created record shows its
 * values, a deleted one what it held). Values are text, never HTML; each
 * line's `title` says it in words.
 */
export function ChangeDiff({ lines }: { lines: readonly DiffLine[] }) {
  if (lines.length === 0) return null;
  return (
    <Stack gap={2} data-testid="change-diff" component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
      {lines.map((line) => (
        <Group key={line.field} component="li" gap={6} wrap="nowrap" align="baseline" data-testid="change-line" data-field={line.field} title={diffLineText(line)}>
          <Text size="sm" c="dimmed" w={130} style={{ flexShrink: 0 }}>
            {line.label}
          </Text>
          <Group gap={6} wrap="wrap" align="baseline" style={{ minWidth: 0 }}>
            {line.old !== undefined && (
              <Text size="sm" td={line.new !== undefined && line.old !== EMPTY_VALUE ? 'line-through' : undefined} c={line.old === EMPTY_VALUE ? 'dimmed' : OLD} style={WRAP}>
                {line.old}
              </Text>
            )}
            {line.old !== undefined && line.new !== undefined && (
              <Text size="sm" c="dimmed">
                →
              </Text>
            )}
            {line.new !== undefined && (
              <Text size="sm" fw={500} c={NEW} style={WRAP}>
                {line.new}
              </Text>
            )}
          </Group>
        </Group>
      ))}
    </Stack>
  );
}
