import { Box, Button, Center, Group, Kbd, Loader, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue, useOs } from '@mantine/hooks';
import { useQueries } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';

import { api, unwrap } from '../lib/api/client';
import { formatMoney } from '../lib/money';
import { companyHit, contactHit, dealHit, groupHits, moveActive, opensSearch, recordPath, SEARCH_LIMIT, searchableSources } from '../lib/search';
import type { SearchHit, SearchKind, SearchSource } from '../lib/search';
import { usePermissions } from '../lib/session';

async function fetchHits(kind: SearchKind, q: string): Promise<SearchHit[]> {
  const init = { params: { query: { q, limit: SEARCH_LIMIT } } };
  switch (kind) {
    case 'company':
      return unwrap(await api.GET('/api/companies', init)).items.map(companyHit);
    case 'contact':
      return unwrap(await api.GET('/api/contacts', init)).items.map(contactHit);
    case 'deal':
      return unwrap(await api.GET('/api/deals', init)).items.map((d) =>
        dealHit(d, d.amount != null && d.currency ? formatMoney(d.amount, d.currency) : undefined),
      );
  }
}

export function SearchIcon({ size = 16 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <circle cx="11" cy="11" r="7" />
      <path d="m20 20-3.5-3.5" />
    </svg>
  );
}

/**
 * The header's search box and its dialog (Ctrl+K / Cmd+K, or "/" when not
 * typing): companies, contacts and deals the user may read, grouped, picked
 * with the arrow keys and Enter.
 */
export function GlobalSearch() {
  const permissions = usePermissions();
  const sources = searchableSources(permissions);
  const [opened, setOpened] = useState(false);
  const mac = ['macos', 'ios'].includes(useOs());
  const searchable = sources.length > 0;

  useEffect(() => {
    if (!searchable) return;
    const onKey = (event: KeyboardEvent) => {
      if (!opensSearch(event)) return;
      event.preventDefault();
      setOpened(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [searchable]);

  if (!searchable) return null;
  return (
    <>
      <Button
        variant="default"
        size="xs"
        fw={400}
        c="dimmed"
        w={{ base: 'auto', sm: 260 }}
        styles={{ label: { flex: 1, justifyContent: 'flex-start' } }}
        leftSection={<SearchIcon size={14} />}
        rightSection={
          <Kbd size="xs" visibleFrom="sm">
            {mac ? '⌘' : 'Ctrl'} K
          </Kbd>
        }
        onClick={() => setOpened(true)}
        aria-label="Search"
        data-testid="global-search-button"
      >
        <Box component="span" visibleFrom="sm">
          Search…
        </Box>
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Search" size="lg" yOffset="10vh" trapFocus returnFocus>
        {opened && <SearchPanel sources={sources} onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

function SearchPanel({ sources, onClose }: { sources: SearchSource[]; onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [q] = useDebouncedValue(text.trim(), 200);
  const results = useQueries({
    queries: sources.map((s) => ({
      queryKey: ['search', s.kind, q],
      enabled: q.length > 0,
      staleTime: 10_000,
      queryFn: () => fetchHits(s.kind, q),
    })),
  });
  const hits = q ? results.flatMap((r) => r.data ?? []) : [];
  const { groups, flat } = groupHits(hits);
  const current = flat.length === 0 ? -1 : Math.min(active, flat.length - 1);
  const loading = q.length > 0 && results.some((r) => r.isFetching);
  const failed = results.find((r) => r.error)?.error;

  const open = (hit: SearchHit) => {
    onClose();
    navigate(recordPath(hit.kind, hit.id));
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(moveActive(current, event.key, flat.length));
    } else if (event.key === 'Enter' && current >= 0) {
      event.preventDefault();
      open(flat[current]);
    }
  };

  const optionId = (i: number) => `global-search-option-${i}`;
  const what = sources.map((s) => s.label.toLowerCase()).join(', ').replace(/, ([^,]*)$/, ' and $1');

  return (
    <Stack gap="sm">
      <TextInput
        data-autofocus
        placeholder={`Search ${what}`}
        aria-label="Search records"
        leftSection={<SearchIcon />}
        rightSection={loading ? <Loader size="xs" /> : null}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={flat.length > 0}
        aria-controls="global-search-results"
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
      />
      <Box id="global-search-results" role="listbox" aria-label="Search results" data-testid="global-search-results">
        {groups.map((group) => (
          <Box key={group.kind} role="group" aria-label={group.label} mb="xs">
            <Text size="xs" fw={700} tt="uppercase" c="dimmed" px="xs" py={4}>
              {group.label}
            </Text>
            {group.hits.map(({ hit, index }) => (
              <UnstyledButton
                key={`${hit.kind}-${hit.id}`}
                id={optionId(index)}
                role="option"
                aria-selected={index === current}
                tabIndex={-1}
                display="block"
                w="100%"
                px="xs"
                py={6}
                style={{
                  borderRadius: 'var(--mantine-radius-sm)',
                  background: index === current ? 'var(--mantine-primary-color-light)' : undefined,
                }}
                onMouseEnter={() => setActive(index)}
                onClick={() => open(hit)}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Text size="sm" fw={500} truncate>
                    {hit.title}
                  </Text>
                  {hit.detail && (
                    <Text size="xs" c="dimmed" truncate style={{ flexShrink: 0 }}>
                      {hit.detail}
                    </Text>
                  )}
                </Group>
              </UnstyledButton>
            ))}
          </Box>
        ))}
        {failed && (
          <Text size="sm" c="red" role="alert">
            {failed.message}
          </Text>
        )}
        {!q && (
          <Text size="sm" c="dimmed" ta="center" py="md">
            Type a name, an email or a domain. ↑ ↓ to pick, Enter to open, Esc to close.
          </Text>
        )}
        {q && !loading && !failed && flat.length === 0 && (
          <Center py="md">
            <Text size="sm" c="dimmed">
              Nothing matches “{q}”.
            </Text>
          </Center>
        )}
      </Box>
    </Stack>
  );
}
