// @vitest-environment node
// The ESLint rule that keeps features apart really fires (and does not
// fire on what features may import).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const lint = async (code: string) => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath: 'src/features/users/api/example.ts' });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('feature boundaries', () => {
  it('refuses an import from another feature', async () => {
    const messages = await lint("import { useRoles } from '../../roles/api/roles';\nexport const x = useRoles;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('Features do not import each other');
  });

  it('allows the feature itself, src/lib and src/components', async () => {
    const code = [
      "import { api } from '../../../lib/api/client';",
      "import { Pager } from '../../../components/Pager';",
      "import type { User } from './users';",
      'export const x = [api, Pager] as const;',
      'export type U = User;',
      '',
    ].join('\n');
    expect(await lint(code)).toEqual([]);
  });
});
