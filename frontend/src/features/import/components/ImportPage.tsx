import { Alert, Anchor, Button, FileInput, Group, List, Progress, Radio, ScrollArea, Select, Stack, Stepper, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useReducer, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';

import { ForbiddenPage } from '../../../components/ErrorPages';
import { PageHeader } from '../../../components/PageHeader';
import { can } from '../../../lib/authorization';
import { DATA_RESOURCES } from '../../../lib/download';
import { usePermissions } from '../../../lib/session';
import { createImport, dryRunImport, previewImport, revertImport, runImport, useImportErrors, useImportProgress } from '../api/imports';
import { fieldOptions, IGNORE, mappingProblems, modeBlocker, MODES, toApiMapping } from '../mapping';
import type { ImportResource } from '../types';
import { initialWizard, runProgress, wizardReducer } from '../wizard';
import type { WizardAction, WizardState } from '../wizard';
import { Counts, ImportStatusBadge, ProblemAlert, RowErrorsTable } from './ImportParts';

export const RESOURCE_LABELS: Record<ImportResource, string> = { companies: 'Companies', contacts: 'Contacts', deals: 'Deals' };

const isResource = (value: string | null): value is ImportResource => DATA_RESOURCES.some((r) => r === value);

/**
 * The import wizard (`/import?resource=contacts`): a CSV file, its columns
 * mapped to fields, a dry run that says what would happen, the run with its
 * progress, and a revert. Offered for the records the user may write.
 */
export function ImportPage() {
  const permissions = usePermissions();
  const writable = DATA_RESOURCES.filter((r) => can(permissions, `${r}:write`));
  const [params, setParams] = useSearchParams();
  const asked = params.get('resource');
  const start = isResource(asked) && writable.includes(asked) ? asked : writable[0];
  const [state, dispatch] = useReducer(wizardReducer, start ?? 'contacts', initialWizard);
  const chooseResource = (resource: ImportResource) => {
    dispatch({ type: 'resource', resource });
    setParams({ resource }, { replace: true });
  };

  if (!start) return <ForbiddenPage />;
  return (
    <>
      <PageHeader title="Import">
        <Button variant="default" component={Link} to="/imports">
          Import history
        </Button>
      </PageHeader>
      <Stepper active={state.step} size="sm" mb="xl" allowNextStepsSelect={false} data-testid="import-wizard">
        <Stepper.Step label="File" description="Records and CSV file">
          <FileStep state={state} dispatch={dispatch} resources={writable} onResource={chooseResource} />
        </Stepper.Step>
        <Stepper.Step label="Columns" description="Map them to fields">
          <MappingStep state={state} dispatch={dispatch} />
        </Stepper.Step>
        <Stepper.Step label="Dry run" description="What would happen">
          <DryRunStep state={state} dispatch={dispatch} />
        </Stepper.Step>
        <Stepper.Step label="Import" description="Run it" loading={state.step === 3}>
          <RunningStep state={state} />
        </Stepper.Step>
        <Stepper.Completed>
          <ResultStep state={state} dispatch={dispatch} />
        </Stepper.Completed>
      </Stepper>
    </>
  );
}

type StepProps = { state: WizardState; dispatch: (action: WizardAction) => void };

function FileStep({ state, dispatch, resources, onResource }: StepProps & { resources: ImportResource[]; onResource: (r: ImportResource) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const next = async () => {
    if (!state.file) return;
    setBusy(true);
    setError(null);
    try {
      dispatch({ type: 'previewed', preview: await previewImport(state.resource, state.file) });
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack maw={520} mt="md">
      <Select
        label="Records"
        description="What each row of the file is"
        data={resources.map((r) => ({ value: r, label: RESOURCE_LABELS[r] }))}
        value={state.resource}
        allowDeselect={false}
        onChange={(v) => isResource(v) && onResource(v)}
      />
      <FileInput
        label="CSV file"
        description="The first line names the columns; an export of Tenet can be imported as it is"
        placeholder="Pick a .csv file"
        accept=".csv,text/csv"
        clearable
        value={state.file}
        onChange={(file) => dispatch({ type: 'file', file })}
      />
      <ProblemAlert error={error} title="The file could not be read" />
      <Group>
        <Button onClick={next} disabled={!state.file} loading={busy}>
          Next: map the columns
        </Button>
      </Group>
    </Stack>
  );
}

function MappingStep({ state, dispatch }: StepProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  if (!state.preview || !state.file) return null;
  const { columns, fields, sample_rows: samples } = state.preview;
  const options = fieldOptions(fields);
  const problems = mappingProblems(state.mapping, fields, state.mode);
  const file = state.file;

  const dryRun = async () => {
    setBusy(true);
    setError(null);
    try {
      let id = state.importId;
      if (!id) {
        id = (await createImport({ resource: state.resource, mode: state.mode, mapping: toApiMapping(state.mapping), file_name: file.name })).id;
        dispatch({ type: 'created', id });
      }
      dispatch({ type: 'dry-run', report: await dryRunImport(id, file) });
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack mt="md">
      <Text size="sm" c="dimmed">
        {file.name}: {columns.length} column{columns.length === 1 ? '' : 's'}. Each column goes to the field picked for it; ignored columns are not imported.
      </Text>
      <ScrollArea type="auto">
        <Table data-testid="mapping-table" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Column</Table.Th>
              <Table.Th>First values</Table.Th>
              <Table.Th w={260}>Field</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {columns.map((column, index) => (
              <Table.Tr key={`${column.header}-${index}`}>
                <Table.Td fw={500}>{column.header}</Table.Td>
                <Table.Td maw={320}>
                  <Text size="sm" c="dimmed" truncate>
                    {samples
                      .slice(0, 3)
                      .map((row) => row[index] ?? '')
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Field for ${column.header}`}
                    data={options}
                    value={state.mapping[column.header] ?? IGNORE}
                    allowDeselect={false}
                    searchable
                    onChange={(v) => dispatch({ type: 'map', header: column.header, field: v && v !== IGNORE ? v : null })}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <Radio.Group label="Mode" value={state.mode} onChange={(v) => dispatch({ type: 'mode', mode: MODES.find((m) => m.value === v)?.value ?? 'create' })}>
        <Stack gap="xs" mt="xs">
          {MODES.map((m) => {
            const blocked = modeBlocker(m.value, state.mapping);
            return <Radio key={m.value} value={m.value} label={m.label} disabled={blocked !== null} description={blocked ? `${m.description} ${blocked}` : m.description} />;
          })}
        </Stack>
      </Radio.Group>
      {problems.blocking.length > 0 && (
        <Alert color="yellow" title="Before the dry run" data-testid="mapping-problems">
          <List size="sm">
            {problems.blocking.map((p) => (
              <List.Item key={p}>{p}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {problems.warnings.map((w) => (
        <Alert key={w} color="blue">
          {w}
        </Alert>
      ))}
      <ProblemAlert error={error} title="The import was refused" />
      <Group>
        <Button variant="default" onClick={() => dispatch({ type: 'back' })} disabled={busy}>
          Back
        </Button>
        <Button onClick={dryRun} loading={busy} disabled={problems.blocking.length > 0}>
          Dry run
        </Button>
      </Group>
    </Stack>
  );
}

function DryRunStep({ state, dispatch }: StepProps) {
  const [error, setError] = useState<Error | null>(null);
  const queryClient = useQueryClient();
  const { report, importId, file } = state;
  if (!report || !importId || !file) return null;
  const run = async () => {
    setError(null);
    dispatch({ type: 'running' });
    try {
      const result = await runImport(importId, file);
      dispatch({ type: 'finished', result });
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
      dispatch({ type: 'run-failed' });
    } finally {
      await queryClient.invalidateQueries({ queryKey: [state.resource] });
      await queryClient.invalidateQueries({ queryKey: ['imports'] });
    }
  };
  const writes = report.rows_created + report.rows_updated;
  return (
    <Stack mt="md" data-testid="dry-run-report">
      <Text size="sm">
        Nothing was kept: this is what importing {file.name} would do.
      </Text>
      <Counts
        items={[
          { label: 'Rows', value: report.rows_total, testId: 'rows-total' },
          { label: 'Would create', value: report.rows_created, color: 'green', testId: 'rows-created' },
          { label: 'Would update', value: report.rows_updated, color: 'blue', testId: 'rows-updated' },
          { label: 'Would fail', value: report.rows_failed, color: 'red', testId: 'rows-failed' },
        ]}
      />
      {report.errors.length > 0 && (
        <>
          <Text fw={600}>Rows that would be refused</Text>
          <RowErrorsTable errors={report.errors} testId="dry-run-errors" />
        </>
      )}
      <ProblemAlert error={error} title="The import did not finish" />
      <Group>
        <Button variant="default" onClick={() => dispatch({ type: 'back' })}>
          Back to the columns
        </Button>
        <Button onClick={run} disabled={writes === 0}>
          {report.rows_failed > 0 ? `Import ${writes} row${writes === 1 ? '' : 's'}, skip ${report.rows_failed}` : `Import ${writes} row${writes === 1 ? '' : 's'}`}
        </Button>
      </Group>
    </Stack>
  );
}

function RunningStep({ state }: { state: WizardState }) {
  const progress = useImportProgress(state.importId, state.step === 3);
  const { done, total, percent } = runProgress(progress.data, state.report?.rows_total);
  return (
    <Stack mt="md" maw={640} data-testid="import-progress">
      <Text size="sm">Importing {state.file?.name}…</Text>
      <Progress value={percent} striped animated size="lg" aria-label="Import progress" />
      <Text size="sm" c="dimmed">
        {done.toLocaleString()} of {total.toLocaleString()} rows
      </Text>
    </Stack>
  );
}

function ResultStep({ state, dispatch }: StepProps) {
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const queryClient = useQueryClient();
  const result = state.result;
  const errors = useImportErrors(result?.id ?? null, showErrors);
  if (!result) return null;
  const revert = async () => {
    if (!window.confirm('Revert this import? The records it created are deleted and the records it updated get their previous values back.')) return;
    setBusy(true);
    setError(null);
    try {
      dispatch({ type: 'reverted', result: await revertImport(result.id) });
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: [result.resource] });
      await queryClient.invalidateQueries({ queryKey: ['imports'] });
    }
  };
  return (
    <Stack mt="md" data-testid="import-result">
      <Group gap="xs">
        <Text fw={600}>{result.status === 'reverted' ? 'The import was reverted' : 'The import is done'}</Text>
        <ImportStatusBadge status={result.status} />
      </Group>
      <Counts
        items={[
          { label: 'Created', value: result.rows_created, color: 'green', testId: 'rows-created' },
          { label: 'Updated', value: result.rows_updated, color: 'blue', testId: 'rows-updated' },
          { label: 'Refused', value: result.rows_failed, color: 'red', testId: 'rows-failed' },
          ...(result.status === 'reverted'
            ? [
                { label: 'Reverted', value: result.rows_reverted, color: 'orange', testId: 'rows-reverted' },
                { label: 'Not reverted', value: result.rows_not_reverted, color: 'red', testId: 'rows-not-reverted' },
              ]
            : []),
        ]}
      />
      {result.failure && (
        <Alert color="red" title="The run stopped before the end of the file">
          {result.failure}
        </Alert>
      )}
      {result.status === 'reverted' && result.rows_not_reverted > 0 && (
        <Alert color="yellow">
          {result.rows_not_reverted} record{result.rows_not_reverted === 1 ? ' was' : 's were'} changed after the import and kept as they are now.
        </Alert>
      )}
      <ProblemAlert error={error} title="The revert was refused" />
      {result.rows_failed > 0 && (
        <div>
          <Button variant="light" size="xs" mb="xs" onClick={() => setShowErrors((s) => !s)}>
            {showErrors ? 'Hide the refused rows' : `Show the ${result.rows_failed} refused row${result.rows_failed === 1 ? '' : 's'}`}
          </Button>
          {showErrors && errors.data && <RowErrorsTable errors={errors.data.items} testId="import-errors" />}
          {showErrors && errors.error && <ProblemAlert error={errors.error} title="The refused rows could not be read" />}
        </div>
      )}
      <Group>
        <Button component={Link} to={`/${result.resource}`} variant="light">
          Open {RESOURCE_LABELS[result.resource].toLowerCase()}
        </Button>
        {result.status === 'completed' && (
          <Button color="red" variant="light" loading={busy} onClick={revert}>
            Revert this import
          </Button>
        )}
        <Button variant="default" onClick={() => dispatch({ type: 'restart' })}>
          Import another file
        </Button>
        <Anchor component={Link} to="/imports" size="sm">
          Import history
        </Anchor>
      </Group>
    </Stack>
  );
}
