import { Card, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/hooks';
import { useI18n } from '../../i18n/i18n';

// bpmn-js is heavy: it loads with the diagram, after the rest of the case page.
const BpmnDiagram = lazy(() => import('../definitions/BpmnDiagram'));

/** The case's process diagram (`GET /api/cases/:id/diagram`, its pinned version) with the current step(s) marked. */
export function CaseDiagram({ caseId, version, currentSteps }: { caseId: string; version: number; currentSteps: string[] }) {
  const { t } = useI18n();
  // The case's version changes when it moves on or is migrated to another definition version.
  const diagram = useLoad((api) => api.caseDiagram(caseId), [caseId, version]);
  return (
    <Card size="small" title={t('defs.caseDiagram')} data-testid="case-diagram">
      {diagram.error ? <ErrorAlert error={diagram.error} /> : null}
      {diagram.data ? (
        <Suspense fallback={<Spin />}>
          <BpmnDiagram xml={diagram.data} highlight={currentSteps} height={300} />
        </Suspense>
      ) : diagram.loading ? (
        <Spin />
      ) : null}
    </Card>
  );
}
