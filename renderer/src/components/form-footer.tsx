import type { ErrorInfo } from '../lib/api-client';
import { ErrorPanel } from './error-panel';

/**
 * The end of an editing form: the form's own complaint (checked before anything is sent), else
 * the engine's refusal with its code and hint, then submit and cancel.
 */
export function FormFooter(props: {
  localError: string | null;
  engineError: ErrorInfo | null;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  onCancel: () => void;
  errorTestId: string;
}) {
  return (
    <>
      {props.localError ? (
        <p className="bad" role="alert" data-testid={props.errorTestId}>
          {props.localError}
        </p>
      ) : null}
      {props.engineError && !props.localError ? <ErrorPanel error={props.engineError} /> : null}
      <div className="inline-form">
        <button type="submit" className="small primary" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.submitLabel}
        </button>
        <button type="button" className="small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
