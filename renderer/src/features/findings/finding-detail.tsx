import { useMemo, useState } from 'react';
import { CopyButton } from '../../components/copy';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { JsonView } from '../../components/json-view';
import { SeverityBadge } from '../../components/severity-badge';
import { formatCount, formatTime } from '../../lib/format';
import { FindingActionButtons, FindingWorkSection } from '../case-actions/finding-actions';
import { PlaybookPanel } from '../case-actions/playbook-panel';
import { useAppStore } from '../../store';
import { rowAt } from '../../store/findings';
import {
  ActionSection,
  ActorSection,
  InvestigateSection,
  KV,
  ResourceSection,
  RunbookSection,
  Section,
  WhySection,
} from './detail-sections';
import { findingEntities, path } from './entities';
import { EvidenceTable } from './evidence-table';

export function FindingDetail() {
  const detail = useAppStore((s) => s.findings.detail);
  const selectedId = useAppStore((s) => s.findings.selectedId);
  const selectFinding = useAppStore((s) => s.selectFinding);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const setFilter = useAppStore((s) => s.setFilter);
  const exactFilter = useAppStore((s) => s.findings.filter.resourceId);
  const resourceId = useAppStore((s) =>
    s.findings.selectedIndex === null ? undefined : rowAt(s.findings, s.findings.selectedIndex)?.resourceId,
  );
  const [showRaw, setShowRaw] = useState(false);
  const finding = detail.data;
  const entities = useMemo(() => (finding ? findingEntities(finding) : []), [finding]);

  if (!selectedId)
    return (
      <EmptyState title="Select a finding">
        Pick a finding on the left (or use ↑ ↓) to see what happened and the events behind it.
      </EmptyState>
    );
  if (detail.error)
    return <ErrorPanel error={detail.error} action={{ label: 'Retry', run: () => void selectFinding(selectedId) }} />;
  if (!finding) return <div className="loading-line" />;

  const service = path(finding, 'service');
  const s = (k: string) => path(service, k);
  const json = JSON.stringify(finding, null, 2);
  return (
    <div className="scroll">
      <article className="detail" data-testid="finding-detail">
        <div className="type-line">
          <SeverityBadge value={finding.severity} pill />
          <span className="type mono" data-testid="detail-type">
            {finding.type}
          </span>
          <span className="detail-actions">
            {resourceId && exactFilter !== resourceId ? (
              <button
                type="button"
                className="small"
                title={`Only findings on exactly ${resourceId}`}
                onClick={() => setFilter({ resourceId, resource: undefined })}
              >
                Same resource
              </button>
            ) : null}
            <CopyButton text={finding.id} label="Copy ID" className="small" />
            <CopyButton text={json} label="Copy JSON" className="small" />
            <FindingActionButtons finding={finding} />
          </span>
        </div>
        <h2>{String(finding['title'] ?? finding.type)}</h2>
        {finding['description'] ? <p className="description">{String(finding['description'])}</p> : null}

        <Section title="Overview">
          <KV
            columns={4}
            rows={[
              ['Account', finding['accountId']],
              ['First seen', formatTime(s('eventFirstSeen') as string, tz)],
              ['Region', finding['region']],
              ['Last seen', formatTime(s('eventLastSeen') as string, tz)],
              ['Resource role', s('resourceRole')],
              ['Created', formatTime(finding['createdAt'] as string, tz)],
              ['Count', typeof s('count') === 'number' ? formatCount(s('count') as number) : s('count')],
              ['Updated', formatTime(finding['updatedAt'] as string, tz)],
              ['Status', s('archived') ? 'Archived' : 'Current'],
              ['Finding ID', finding.id],
            ]}
            mono={['Account', 'Finding ID']}
          />
        </Section>
        <ResourceSection finding={finding} />
        <ActionSection finding={finding} />
        <ActorSection finding={finding} />
        <WhySection finding={finding} />
        <InvestigateSection entities={entities} />
        <FindingWorkSection id={finding.id} />
        <RunbookSection finding={finding} />
        <PlaybookPanel id={finding.id} />
        <EvidenceTable />
        <div className="section">
          <h3>
            Finding JSON
            <span className="right">
              <button
                type="button"
                className="small"
                aria-expanded={showRaw}
                onClick={() => setShowRaw(!showRaw)}
                data-testid="toggle-raw"
              >
                {showRaw ? 'Hide' : 'Show'}
              </button>
            </span>
          </h3>
          {showRaw ? <JsonView value={json} testId="finding-raw" /> : null}
        </div>
      </article>
    </div>
  );
}
