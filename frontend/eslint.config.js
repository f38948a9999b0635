import path from 'node:path';

import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const SRC = path.join(import.meta.dirname, 'src');
const FEATURES = path.join(SRC, 'features');
const SHARED = [path.join(SRC, 'components'), path.join(SRC, 'lib')];

const within = (dir, file) => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** The feature (`src/features/<name>/…`) a file or import target lies in, if any. */
const featureOf = (file) => (within(FEATURES, file) ? path.relative(FEATURES, file).split(path.sep)[0] : undefined);

/**
 * Features are kept apart: a file of src/features/<a> imports only its own
 * folder, src/components and src/lib; src/components and src/lib import no
 * feature. What two features share moves to src/components or src/lib.
 * Import paths are resolved against the importing file, so the depth of
 * either side does not matter; `import … from`, `export … from`, `import()`
 * and `import('…').Type` are all checked.
 */
const featureBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep features apart: a feature imports no other feature; shared code imports no feature.' },
    schema: [],
    messages: {
      crossFeature: "Feature '{{from}}' imports feature '{{to}}': features do not import each other; move what they share to src/components or src/lib.",
      sharedImportsFeature: "Shared code (src/components, src/lib) imports feature '{{to}}': move what it needs out of the feature.",
    },
  },
  create(context) {
    const file = context.filename;
    const from = featureOf(file);
    const shared = SHARED.some((dir) => within(dir, file));
    if (!from && !shared) return {};

    const target = (specifier) => {
      if (specifier.startsWith('.')) return featureOf(path.resolve(path.dirname(file), specifier));
      if (specifier.startsWith('/src/')) return featureOf(path.join(import.meta.dirname, specifier));
      // An alias (`src/features/x`, `@/features/x`): no resolution, the path says it.
      return /^(?:@\/|~\/|src\/)features\/([^/]+)/.exec(specifier)?.[1];
    };
    const check = (node, source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const to = target(source.value);
      if (!to || to === from) return;
      if (from) context.report({ node, messageId: 'crossFeature', data: { from, to } });
      else context.report({ node, messageId: 'sharedImportsFeature', data: { to } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist', 'src/lib/api/schema.d.ts', 'e2e/artifacts'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { tenet: { rules: { 'feature-boundaries': featureBoundaries } } },
    rules: { 'tenet/feature-boundaries': 'error' },
  },
  {
    files: ['e2e/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node, ...globals.browser } },
  },
);
