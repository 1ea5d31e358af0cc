import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

/** Directories never copied: installed packages, Nx and vite caches, runtime data, history. */
const SKIPPED = new Set(['node_modules', '.nx', '.git', 'dist', 'coverage']);

/**
 * Copies the workspace to a temporary directory so a generator can run for real without touching the
 * working tree. Sources are copied; node_modules is a real directory of symlinks to the installed
 * packages, except `@provisioning/*`, which points at the copy's own workspace packages (so the copy
 * resolves its own libraries, as npm would have linked them).
 */
export function copyWorkspace(root: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'connector-generator-'));
  cpSync(root, copy, {
    recursive: true,
    filter: (source) => {
      const rel = relative(root, source);
      return !SKIPPED.has(basename(source)) && rel !== 'data' && rel !== 'tmp';
    },
  });
  const modules = join(copy, 'node_modules');
  mkdirSync(join(modules, '@provisioning'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@provisioning' || entry === '.package-lock.json') continue;
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  for (const entry of readdirSync(join(root, 'node_modules', '@provisioning'))) {
    // npm's workspace links are relative (../../libs/...), so the same link inside the copy points at the copy.
    symlinkSync(readlinkSync(join(root, 'node_modules', '@provisioning', entry)), join(modules, '@provisioning', entry));
  }
  return copy;
}

/** What `npm install` would do for a new workspace package: link it under node_modules/@provisioning. */
export function linkWorkspacePackage(copy: string, packageDir: string, name: string): void {
  const link = join(copy, 'node_modules', '@provisioning', name);
  if (!existsSync(link)) symlinkSync(join('..', '..', packageDir), link);
}
