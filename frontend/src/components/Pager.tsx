import { Button, Group } from '@mantine/core';
import { useState } from 'react';

/** Keyset pagination: a stack of cursors, so Previous goes back exactly. */
export function useCursorPager() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: (c: string) => setStack((s) => [...s, c]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

export function Pager({
  pager,
  nextCursor,
}: {
  pager: ReturnType<typeof useCursorPager>;
  nextCursor: string | null | undefined;
}) {
  return (
    <Group justify="space-between" mt="sm">
      <Button variant="default" size="xs" disabled={pager.page === 1} onClick={pager.previous}>
        Previous
      </Button>
      <span>Page {pager.page}</span>
      <Button variant="default" size="xs" disabled={!nextCursor} onClick={() => nextCursor && pager.next(nextCursor)}>
        Next
      </Button>
    </Group>
  );
}
