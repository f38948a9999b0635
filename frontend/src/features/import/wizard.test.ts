import { describe, expect, it } from 'vitest';

import { initialWizard, runProgress, wizardReducer } from './wizard';
import type { WizardAction, WizardState } from './wizard';
import type { DryRunReport, Import, ImportPreview } from './types';

const file = new File(['first_name,email\nAnn,ann@example.test\n'], 'people.csv', { type: 'text/csv' });
const preview: ImportPreview = {
  columns: [
    { header: 'ID', field: 'id' },
    { header: 'First name', field: 'first_name' },
    { header: 'E-mail', field: 'email' },
  ],
  fields: [
    { name: 'id', required: false },
    { name: 'first_name', required: true },
    { name: 'email', required: false },
  ],
  sample_rows: [['', 'Ann', 'ann@example.test']],
};
const report: DryRunReport = { rows_total: 3, rows_created: 2, rows_updated: 0, rows_failed: 1, errors: [{ row: 2, field: 'email', message: 'is not an email' }] };
const done = (status: Import['status']): Import => ({
  id: 'imp-1',
  resource: 'contacts',
  mode: 'create',
  file_name: 'people.csv',
  mapping: { 'First name': 'first_name' },
  status,
  rows_total: 3,
  rows_created: 2,
  rows_updated: 0,
  rows_failed: 1,
  rows_reverted: status === 'reverted' ? 2 : 0,
  rows_not_reverted: 0,
  created_by: 'u1',
  created_at: '2026-11-29T12:00:00Z',
  updated_at: '2026-11-29T12:00:00Z',
  finished_at: '2026-11-29T12:00:01Z',
  reverted_at: null,
});

const play = (...actions: WizardAction[]): WizardState => actions.reduce(wizardReducer, initialWizard('contacts'));
const toMapping: WizardAction[] = [{ type: 'file', file }, { type: 'previewed', preview }];
const toReport: WizardAction[] = [...toMapping, { type: 'created', id: 'imp-1' }, { type: 'dry-run', report }];

describe('import wizard', () => {
  it('goes file → columns → dry run → running → done', () => {
    let state = play({ type: 'file', file });
    expect(state).toMatchObject({ step: 0, file, preview: null });
    state = wizardReducer(state, { type: 'previewed', preview });
    expect(state).toMatchObject({ step: 1, mode: 'create', mapping: { ID: 'id', 'First name': 'first_name', 'E-mail': 'email' } });
    state = wizardReducer(state, { type: 'created', id: 'imp-1' });
    state = wizardReducer(state, { type: 'dry-run', report });
    expect(state).toMatchObject({ step: 2, importId: 'imp-1', report });
    state = wizardReducer(state, { type: 'running' });
    expect(state.step).toBe(3);
    state = wizardReducer(state, { type: 'finished', result: done('completed') });
    expect(state).toMatchObject({ step: 4, result: { status: 'completed' } });
    state = wizardReducer(state, { type: 'reverted', result: done('reverted') });
    expect(state).toMatchObject({ step: 4, result: { status: 'reverted', rows_reverted: 2 } });
  });

  it('does not dry-run without an import', () => {
    expect(play(...toMapping, { type: 'dry-run', report }).step).toBe(1);
  });

  it('forgets the import when the mapping or the mode changes (its mapping is fixed when made)', () => {
    const made = play(...toMapping, { type: 'created', id: 'imp-1' });
    expect(wizardReducer(made, { type: 'map', header: 'E-mail', field: null })).toMatchObject({ importId: null, mapping: { 'E-mail': null } });
    expect(wizardReducer(made, { type: 'mode', mode: 'upsert' })).toMatchObject({ importId: null, mode: 'upsert' });
    // The same mode again keeps it.
    expect(wizardReducer(made, { type: 'mode', mode: 'create' }).importId).toBe('imp-1');
  });

  it('refuses update and upsert without the id column, and falls back to create when id is unmapped', () => {
    const noId = play(...toMapping, { type: 'map', header: 'ID', field: null });
    expect(wizardReducer(noId, { type: 'mode', mode: 'update' }).mode).toBe('create');
    const upsert = play(...toMapping, { type: 'mode', mode: 'upsert' });
    expect(upsert.mode).toBe('upsert');
    expect(wizardReducer(upsert, { type: 'map', header: 'ID', field: null }).mode).toBe('create');
  });

  it('goes back from the report to the columns (keeping the import) and from the columns to the file', () => {
    const back = play(...toReport, { type: 'back' });
    expect(back).toMatchObject({ step: 1, importId: 'imp-1' });
    expect(wizardReducer(back, { type: 'back' })).toMatchObject({ step: 0, file, preview: null, importId: null });
  });

  it('starts over on a new file or resource, but not while running', () => {
    expect(play(...toReport, { type: 'file', file: null })).toMatchObject({ step: 0, file: null, importId: null, report: null });
    expect(play(...toReport, { type: 'resource', resource: 'deals' })).toMatchObject({ step: 0, resource: 'deals', file, preview: null });
    const running = play(...toReport, { type: 'running' });
    expect(wizardReducer(running, { type: 'file', file: null })).toBe(running);
    expect(wizardReducer(running, { type: 'back' })).toBe(running);
  });

  it('returns to the report when the run fails, and restarts for the same resource', () => {
    expect(play(...toReport, { type: 'running' }, { type: 'run-failed' }).step).toBe(2);
    expect(play(...toReport, { type: 'resource', resource: 'deals' }, { type: 'restart' })).toEqual(initialWizard('deals'));
  });

  it('measures the progress of a run against the dry run’s count', () => {
    expect(runProgress(undefined, 10)).toEqual({ done: 0, total: 10, percent: 0 });
    expect(runProgress({ rows_total: 0, rows_created: 3, rows_updated: 1, rows_failed: 1 }, 10)).toEqual({ done: 5, total: 10, percent: 50 });
    expect(runProgress({ rows_total: 20, rows_created: 5, rows_updated: 0, rows_failed: 0 }, 10)).toEqual({ done: 5, total: 20, percent: 25 });
    expect(runProgress({ rows_total: 0, rows_created: 0, rows_updated: 0, rows_failed: 0 }, undefined).percent).toBe(0);
  });
});
