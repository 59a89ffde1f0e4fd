/**
 * Typed folder paths (web mode has no native dialog). The engine checks the folder itself; this
 * only catches what can be told without it, and shows where the case will land: the engine adds
 * `.loupe` to a folder name that does not end with it.
 */
export const CASE_SUFFIX = '.loupe';

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Why the text cannot be a case folder, or null. */
export function folderProblem(text: string): string | null {
  const path = text.trim();
  if (path === '') return 'Type the folder to save the case in.';
  if (path.includes('\0')) return 'The path holds a NUL character.';
  if (!isAbsolutePath(path)) return `"${path}" is not a full path: start it with / (or a drive letter on Windows).`;
  return null;
}

export function caseFolderFor(text: string): string {
  const path = text.trim().replace(/(?<=.)[\\/]+$/, '');
  return path.toLowerCase().endsWith(CASE_SUFFIX) ? path : path + CASE_SUFFIX;
}
