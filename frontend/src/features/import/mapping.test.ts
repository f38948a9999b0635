import { Blob as NodeBlob } from 'node:buffer';
import { describe, expect, it } from 'vitest';

import { fieldOptions, IGNORE, mappingProblems, modeBlocker, previewSlice, suggestedMapping, toApiMapping } from './mapping';
import type { ImportPreview } from './types';

const fields: ImportPreview['fields'] = [
  { name: 'id', required: false },
  { name: 'first_name', required: true },
  { name: 'last_name', required: false },
  { name: 'email', required: false },
];

const preview: ImportPreview = {
  columns: [
    { header: 'E-mail', field: 'email' },
    { header: 'First name', field: 'first_name' },
    { header: 'Notes', field: null },
    { header: 'Shoe size', field: 'shoe_size' }, // not a field of the resource
  ],
  fields,
  sample_rows: [['ann@example.test', 'Ann', 'met at the fair', '38']],
};

describe('import mapping', () => {
  it('starts from the server’s suggestion, ignoring fields the resource does not have', () => {
    expect(suggestedMapping(preview)).toEqual({ 'E-mail': 'email', 'First name': 'first_name', Notes: null, 'Shoe size': null });
  });

  it('keeps the first suggestion of a header that appears twice', () => {
    const twice = { ...preview, columns: [{ header: 'Name', field: 'first_name' }, { header: 'Name', field: 'last_name' }] };
    expect(suggestedMapping(twice)).toEqual({ Name: 'first_name' });
  });

  it('offers id, which the preview does not list, and keeps its suggestion', () => {
    const withoutId = { ...preview, columns: [{ header: 'ID', field: 'id' }, ...preview.columns], fields: fields.filter((f) => f.name !== 'id') };
    expect(suggestedMapping(withoutId).ID).toBe('id');
    expect(fieldOptions(withoutId.fields).map((o) => o.value)).toEqual([IGNORE, 'id', 'first_name', 'last_name', 'email']);
  });

  it('sends only the mapped columns', () => {
    expect(toApiMapping({ 'E-mail': 'email', Notes: null })).toEqual({ 'E-mail': 'email' });
  });

  it('offers "ignore" first, and marks required fields', () => {
    const options = fieldOptions(fields);
    expect(options[0]).toEqual({ value: IGNORE, label: 'Ignore this column' });
    expect(options.map((o) => o.label)).toEqual(['Ignore this column', 'id', 'first_name (required)', 'last_name', 'email']);
  });

  it('allows update and upsert only with the id column mapped, and says why', () => {
    const withoutId = { 'E-mail': 'email', 'First name': 'first_name' };
    expect(modeBlocker('create', withoutId)).toBeNull();
    expect(modeBlocker('update', withoutId)).toMatch(/Needs a column mapped to the id field/);
    expect(modeBlocker('upsert', withoutId)).toMatch(/Needs a column mapped to the id field/);
    expect(modeBlocker('update', { ...withoutId, ID: 'id' })).toBeNull();
  });

  it('blocks a field mapped twice, an empty mapping and a create without a required field', () => {
    expect(mappingProblems({ 'E-mail': 'email', 'First name': 'first_name' }, fields, 'create')).toEqual({ blocking: [], warnings: [] });
    expect(mappingProblems({ 'E-mail': 'email', Mail: 'email', 'First name': 'first_name' }, fields, 'create').blocking).toEqual([
      'The field email is mapped from 2 columns (E-mail, Mail): keep one.',
    ]);
    expect(mappingProblems({ 'E-mail': null }, fields, 'create').blocking[0]).toBe('Map at least one column to a field.');
    expect(mappingProblems({ 'E-mail': 'email' }, fields, 'create').blocking).toEqual([
      'No column is mapped to the required field first_name: every new record needs it.',
    ]);
  });

  it('lets an update leave out required fields, and warns an upsert', () => {
    expect(mappingProblems({ ID: 'id', 'E-mail': 'email' }, fields, 'update')).toEqual({ blocking: [], warnings: [] });
    const upsert = mappingProblems({ ID: 'id', 'E-mail': 'email' }, fields, 'upsert');
    expect(upsert.blocking).toEqual([]);
    expect(upsert.warnings).toEqual(['No column is mapped to the required field first_name: rows without an existing id will fail.']);
    expect(mappingProblems({ 'E-mail': 'email' }, fields, 'update').blocking).toEqual([modeBlocker('update', {})]);
  });

  it('previews a small file whole, and a large one up to its last complete line within the limit', async () => {
    const small = new NodeBlob(['a,b\n1,2\n']) as unknown as Blob;
    expect(await previewSlice(small, 100)).toBe(small);
    const large = new NodeBlob(['name\n', 'Ann\n', 'Bob\n', 'Carla\n']) as unknown as Blob; // 19 bytes
    expect(await (await previewSlice(large, 15)).text()).toBe('name\nAnn\nBob\n');
    // No newline within the limit: the first bytes as they are.
    expect(await (await previewSlice(new NodeBlob(['abcdefghij']) as unknown as Blob, 4)).text()).toBe('abcd');
  });
});
