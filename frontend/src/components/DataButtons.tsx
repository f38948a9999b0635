import { Button, Group, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { downloadExport } from '../lib/download';
import type { DataResource, ExportFormat, ListFilters } from '../lib/download';

/**
 * "Export CSV" and "Export JSON" of a list: every row the list's current
 * filters reach (not only the page shown), saved as a file. A refused
 * export is told through `onError`.
 */
export function ExportButtons({ resource, filters, onError }: { resource: DataResource; filters: ListFilters; onError: (message: string | null) => void }) {
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const run = async (format: ExportFormat) => {
    setBusy(format);
    onError(null);
    try {
      await downloadExport(resource, format, filters);
    } catch (e) {
      onError(`The export failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Group gap="xs" data-testid="export-buttons">
      {(['csv', 'json'] as const).map((format) => (
        <Tooltip key={format} label="Every row of the list with its current filters" openDelay={500}>
          <Button variant="default" loading={busy === format} disabled={busy !== null && busy !== format} onClick={() => run(format)}>
            Export {format.toUpperCase()}
          </Button>
        </Tooltip>
      ))}
    </Group>
  );
}

/** The "Import" button of a list: the import wizard, set to this list's records. */
export function ImportButton({ resource }: { resource: DataResource }) {
  return (
    <Button variant="default" component={Link} to={`/import?resource=${resource}`}>
      Import
    </Button>
  );
}
