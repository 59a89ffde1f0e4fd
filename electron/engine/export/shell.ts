/**
 * Shell quoting for generated playbook scripts. Every value that came from a finding (and so,
 * ultimately, from log data an attacker can shape) goes through `shellQuote`; every comment
 * through `shellComment`. Each rendered command stays on one line: a value holding a newline is
 * written with bash's $'...' escapes, so it can never end a comment or start a new command.
 */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  if (value !== '' && PLAIN.test(value)) return value;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    let out = "$'";
    for (const ch of value) {
      const code = ch.codePointAt(0) ?? 0;
      if (ch === '\\' || ch === "'") out += `\\${ch}`;
      else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
      else out += ch;
    }
    return `${out}'`;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `# ...` line: control characters (newlines above all) become spaces. */
export function shellComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `# ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')}`.trimEnd();
}

const VAR_NAME = /^[A-Z][A-Z0-9_]*$/;

/** A reference to a shell variable set by an earlier step (`captureAs`) or by the user. */
export interface ShellVar {
  var: string;
  /** When set, the script stops with this message if the variable is empty: `${VAR:?msg}`. */
  required?: string;
}

export type ShellArg = string | ShellVar;

export function renderArg(arg: ShellArg): string {
  if (typeof arg === 'string') return shellQuote(arg);
  if (!VAR_NAME.test(arg.var)) throw new Error(`Invalid shell variable name: ${arg.var}`);
  if (arg.required === undefined) return `"$${arg.var}"`;
  // The message sits inside ${...:?...} within double quotes: keep it to plain words.
  const message = arg.required.replace(/[^A-Za-z0-9 .,_-]/g, ' ');
  return `"\${${arg.var}:?${message}}"`;
}

export function renderCommand(argv: readonly ShellArg[], captureAs?: string): string {
  const line = argv.map(renderArg).join(' ');
  if (captureAs === undefined) return line;
  if (!VAR_NAME.test(captureAs)) throw new Error(`Invalid shell variable name: ${captureAs}`);
  return `${captureAs}=$(${line})`;
}
