import { useState, type ReactNode } from 'react';
import { copyText } from '../lib/clipboard';
import { useAppStore } from '../store';

export function CopyButton({
  text,
  label = 'Copy',
  className = 'copy small',
}: {
  text: string;
  label?: string;
  className?: string;
}) {
  const notify = useAppStore((s) => s.notify);
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className={className}
      title={`Copy ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`}
      onClick={async (e) => {
        e.stopPropagation();
        const ok = await copyText(text);
        setDone(ok);
        if (!ok)
          notify({
            kind: 'info',
            title: 'Copy was refused',
            message: 'The browser did not allow clipboard access; select the text instead.',
          });
      }}
      onBlur={() => setDone(false)}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A value with a copy button that shows on hover (or focus). */
export function Copyable({ value, children, mono = false }: { value: string; children?: ReactNode; mono?: boolean }) {
  return (
    <span className="copyable">
      <span className={mono ? 'mono' : undefined}>{children ?? value}</span>
      <CopyButton text={value} />
    </span>
  );
}
