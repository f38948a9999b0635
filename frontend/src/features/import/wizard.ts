// The steps of the import wizard as a reducer: a file and its preview, the
// mapping and mode, the import made from them, the dry run's report, the
// run and its result. Changing what an import was made from forgets it (its
// mapping is fixed when it is created).
import { modeBlocker, suggestedMapping } from './mapping';
import type { Mapping } from './mapping';
import type { DryRunReport, Import, ImportMode, ImportPreview, ImportResource } from './types';

export const STEPS = ['File', 'Columns', 'Dry run', 'Import'] as const;

/** 0 file, 1 columns, 2 dry run report, 3 running, 4 done (the result). */
export type Step = 0 | 1 | 2 | 3 | 4;

export type WizardState = {
  step: Step;
  resource: ImportResource;
  file: File | null;
  preview: ImportPreview | null;
  mapping: Mapping;
  mode: ImportMode;
  /** The import made from the current mapping and mode, if any. */
  importId: string | null;
  report: DryRunReport | null;
  result: Import | null;
};

export type WizardAction =
  | { type: 'resource'; resource: ImportResource }
  | { type: 'file'; file: File | null }
  | { type: 'previewed'; preview: ImportPreview }
  | { type: 'map'; header: string; field: string | null }
  | { type: 'mode'; mode: ImportMode }
  | { type: 'created'; id: string }
  | { type: 'dry-run'; report: DryRunReport }
  | { type: 'running' }
  | { type: 'run-failed' }
  | { type: 'finished'; result: Import }
  | { type: 'reverted'; result: Import }
  | { type: 'back' }
  | { type: 'restart' };

export function initialWizard(resource: ImportResource): WizardState {
  return { step: 0, resource, file: null, preview: null, mapping: {}, mode: 'create', importId: null, report: null, result: null };
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  // Once the run started, only its end (and a revert, and a new import) change the state.
  const started = state.step >= 3;
  switch (action.type) {
    case 'resource':
      if (started) return state;
      return { ...initialWizard(action.resource), file: state.file };
    case 'file':
      if (started) return state;
      return { ...initialWizard(state.resource), file: action.file };
    case 'previewed':
      if (state.step !== 0) return state;
      return { ...state, step: 1, preview: action.preview, mapping: suggestedMapping(action.preview), mode: 'create', importId: null, report: null };
    case 'map': {
      if (state.step !== 1) return state;
      const mapping = { ...state.mapping, [action.header]: action.field };
      // A mode the new mapping cannot serve falls back to create.
      const mode = modeBlocker(state.mode, mapping) ? 'create' : state.mode;
      return { ...state, mapping, mode, importId: null, report: null };
    }
    case 'mode':
      if (state.step !== 1 || modeBlocker(action.mode, state.mapping)) return state;
      return action.mode === state.mode ? state : { ...state, mode: action.mode, importId: null, report: null };
    case 'created':
      return state.step === 1 ? { ...state, importId: action.id } : state;
    case 'dry-run':
      return state.step === 1 && state.importId ? { ...state, step: 2, report: action.report } : state;
    case 'running':
      return state.step === 2 ? { ...state, step: 3 } : state;
    case 'run-failed':
      // Back to the report, to try again (the server tells what it kept).
      return state.step === 3 ? { ...state, step: 2 } : state;
    case 'finished':
      return state.step === 3 ? { ...state, step: 4, result: action.result } : state;
    case 'reverted':
      return state.step === 4 ? { ...state, result: action.result } : state;
    case 'back':
      if (state.step === 2) return { ...state, step: 1 };
      if (state.step === 1) return { ...state, step: 0, preview: null, mapping: {}, importId: null, report: null };
      return state;
    case 'restart':
      return initialWizard(state.resource);
  }
}

/** How far a run has come: rows done out of the rows the dry run counted (or the import's own total). */
export function runProgress(current: Pick<Import, 'rows_total' | 'rows_created' | 'rows_updated' | 'rows_failed'> | undefined, expected: number | undefined) {
  const done = current ? current.rows_created + current.rows_updated + current.rows_failed : 0;
  const total = Math.max(current?.rows_total ?? 0, expected ?? 0, done);
  return { done, total, percent: total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0 };
}
