/**
 * Error codes shared by every shell. A LoupeError always names the item it is about
 * (file, bucket, rule, job) in its message and, where there is one, says the way out in `hint`.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'NO_CASE_OPEN',
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'FILE_CORRUPT',
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'FILE_UNRECOGNISED',
  /** A file or folder Loupe must write is read-only or not ours (EACCES, EPERM, EROFS). */
  'FILE_UNWRITABLE',
  /** The disk (or quota) is full (ENOSPC, EDQUOT). */
  'DISK_FULL',
  'S3_ACCESS_DENIED',
  'S3_NO_SUCH_BUCKET',
  'S3_WRONG_REGION',
  'S3_CREDENTIALS',
  'S3_ERROR',
  'INTEL_INVALID',
  'RULE_INVALID',
  'QUERY_FAILED',
  'QUERY_CANCELLED',
  'JOB_NOT_FOUND',
  'JOB_CANCELLED',
  'WORKSPACE_CORRUPT',
  'WORKSPACE_LOCKED',
  'WORKSPACE_TOO_NEW',
  /** The case is busy with a job that writes it (a load, a detection run); retry after it. */
  'CASE_BUSY',
  /** A notification rule's command or webhook failed (the scan itself went on). */
  'NOTIFY_FAILED',
  'FORBIDDEN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface LoupeErrorShape {
  code: ErrorCode;
  message: string;
  hint?: string | undefined;
  details?: unknown;
}

export class LoupeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoupeError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toShape(): LoupeErrorShape {
    const shape: LoupeErrorShape = { code: this.code, message: this.message };
    if (this.hint !== undefined) shape.hint = this.hint;
    if (this.details !== undefined) shape.details = this.details;
    return shape;
  }
}

/** Turns anything thrown into the envelope's error shape without leaking stack traces. */
export function toErrorShape(error: unknown): LoupeErrorShape {
  if (error instanceof LoupeError) return error.toShape();
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: LoupeErrorShape };
