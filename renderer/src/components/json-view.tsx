import { useMemo } from 'react';
import { prettyJson } from '../lib/format';
import { CopyButton } from './copy';

/** Raw JSON, pretty-printed, with a copy button for the whole document. */
export function JsonView({ value, label = 'Copy JSON', testId }: { value: unknown; label?: string; testId?: string }) {
  const text = useMemo(() => prettyJson(value), [value]);
  return (
    <div className="json-block">
      <pre className="json mono" data-testid={testId}>
        {text}
      </pre>
      <span className="copy-json">
        <CopyButton text={text} label={label} className="small" />
      </span>
    </div>
  );
}
