import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { importsOf, read, resolveSpecifier, sourceFiles } from './source-files';

/**
 * The process boundaries of DESIGN.md, checked over the real source tree (lint enforces the
 * same per folder; this catches what a lint override or a missing glob would let through).
 */
const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isNode = (s: string) => NODE.has(s) || s.startsWith('node:') || NODE.has(s.split('/')[0] ?? '');
/** The Electron package (a bare specifier), as opposed to the repo's electron/ folder. */
const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');

interface Violation {
  file: string;
  specifier: string;
}

/**
 * `forbidden` gets the target twice: `pkg` is the bare package name (null for a relative import)
 * and `path` the repo-relative path of a relative import (null for a package).
 */
type Target = { pkg: string | null; path: string | null };

function violations(dirs: string[], forbidden: (target: Target, file: string) => boolean): Violation[] {
  const out: Violation[] = [];
  for (const file of sourceFiles(...dirs)) {
    for (const specifier of importsOf(read(file))) {
      const relative = specifier.startsWith('.');
      const target = { pkg: relative ? null : specifier, path: relative ? resolveSpecifier(file, specifier) : null };
      if (forbidden(target, file)) out.push({ file, specifier });
    }
  }
  return out;
}

const pkgIs = (t: Target, test: (s: string) => boolean) => t.pkg !== null && test(t.pkg);
const pathUnder = (t: Target, ...dirs: string[]) =>
  t.path !== null && dirs.some((d) => t.path === d || t.path?.startsWith(`${d}/`));

describe('import scanner', () => {
  it('sees static, type-only, side-effect, dynamic and require imports, not comments', () => {
    const code = `
      import a from 'alpha';
      import type { B } from "../beta";
      export { c } from './gamma';
      import 'delta';
      const e = await import('epsilon');
      const f = require('zeta');
      // import x from 'commented';
      /* import y from 'blocked'; */
    `;
    expect(importsOf(code)).toEqual(['alpha', '../beta', './gamma', 'delta', 'epsilon', 'zeta']);
    expect(resolveSpecifier('electron/engine/api.ts', '../main/ipc')).toBe('electron/main/ipc');
  });
});

describe('import boundaries', () => {
  it('has source files to check', () => {
    expect(sourceFiles('electron/engine').length).toBeGreaterThan(10);
    expect(sourceFiles('shared').length).toBeGreaterThan(3);
  });

  it('the engine never imports Electron, a shell or the renderer', () => {
    expect(
      violations(
        ['electron/engine'],
        (t) =>
          pkgIs(t, isElectron) ||
          pathUnder(t, 'electron/main', 'electron/preload', 'electron/server', 'electron/cli', 'renderer'),
      ),
    ).toEqual([]);
  });

  it('only electron/engine/db imports DuckDB', () => {
    expect(
      violations(
        ['electron', 'renderer', 'shared'],
        (t, file) => pkgIs(t, (s) => s.startsWith('@duckdb/')) && !file.startsWith('electron/engine/db/'),
      ),
    ).toEqual([]);
  });

  it('shared imports nothing from node, Electron, electron/ or renderer/', () => {
    expect(
      violations(
        ['shared'],
        (t) => pkgIs(t, (s) => isNode(s) || isElectron(s)) || pathUnder(t, 'electron', 'renderer'),
      ),
    ).toEqual([]);
  });

  it('the renderer imports neither node nor Electron nor anything under electron/', () => {
    expect(
      violations(['renderer'], (t) => pkgIs(t, (s) => isNode(s) || isElectron(s)) || pathUnder(t, 'electron')),
    ).toEqual([]);
  });

  it('web mode and the CLI run without Electron', () => {
    expect(
      violations(
        ['electron/server', 'electron/cli'],
        (t) => pkgIs(t, isElectron) || pathUnder(t, 'electron/main', 'electron/preload'),
      ),
    ).toEqual([]);
  });

  it('the preload reaches only Electron and the shared contract', () => {
    expect(
      violations(['electron/preload'], (t) => (t.pkg !== null ? !isElectron(t.pkg) : !pathUnder(t, 'shared'))),
    ).toEqual([]);
  });

  it('the checks can fail: a planted engine import of Electron is caught', () => {
    const planted = importsOf(`import { app } from 'electron';\nimport { x } from '../main/ipc';`).map((specifier) => ({
      pkg: specifier.startsWith('.') ? null : specifier,
      path: specifier.startsWith('.') ? resolveSpecifier('electron/engine/api.ts', specifier) : null,
    }));
    expect(planted.filter((t) => pkgIs(t, isElectron) || pathUnder(t, 'electron/main'))).toHaveLength(2);
  });
});
