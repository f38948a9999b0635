// @vitest-environment node
// The ESLint rule that keeps features apart (eslint.config.js,
// tenet/feature-boundaries) really fires, whatever the depth of the files,
// and does not fire on what a feature may import.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const RULE = 'tenet/feature-boundaries';

const lint = async (filePath: string, code: string) => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
};

describe('feature boundaries', () => {
  it.each([
    ['src/features/users/api/example.ts', "import { useRoles } from '../../roles/api/roles';\nexport const x = useRoles;"],
    ['src/features/users/components/deeper/example.tsx', "import { useRoles } from '../../../roles/api/roles';\nexport const x = useRoles;"],
    ['src/features/users/example.ts', "import { useRoles } from '../roles/api/roles';\nexport const x = useRoles;"],
    ['src/features/users/api/example.ts', "export { useRoles } from '../../roles/api/roles';"],
    ['src/features/users/api/example.ts', "export const load = () => import('../../roles/api/roles');"],
    ['src/features/users/api/example.ts', "export type R = import('../../roles/api/roles').Role;"],
    ['src/features/users/api/example.ts', "import type { Role } from '../../../features/roles/api/roles';\nexport type R = Role;"],
  ])('refuses an import of another feature from %s: %s', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("Feature 'users' imports feature 'roles'");
  });

  it('refuses a feature import in shared code', async () => {
    const messages = await lint('src/components/Example.tsx', "import { useUsers } from '../features/users/api/users';\nexport const x = useUsers;");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("imports feature 'users'");
  });

  it('allows the feature itself, src/lib and src/components', async () => {
    const code = [
      "import { api } from '../../../lib/api/client';",
      "import { Pager } from '../../../components/Pager';",
      "import { useUsers } from '../api/users';",
      "import type { User } from '../../users/api/users';",
      'export const x = [api, Pager, useUsers] as const;',
      'export type U = User;',
    ].join('\n');
    expect(await lint('src/features/users/components/Example.tsx', code)).toEqual([]);
  });

  it('allows the app to assemble features', async () => {
    expect(await lint('src/app/example.ts', "import { UsersPage } from '../features/users/components/UsersPage';\nexport const x = UsersPage;")).toEqual([]);
  });
});
