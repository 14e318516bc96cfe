import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './bpmn.css';
import { Alert, Typography } from 'antd';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';

/** The marker class a current step's shape gets (styled in bpmn.css). */
export const CURRENT_STEP_MARKER = 'current-step';

interface Canvas {
  zoom(level: 'fit-viewport'): void;
  addMarker(element: string, marker: string): void;
}

/**
 * A process diagram in bpmn-js's viewer (pan and zoom, no editing), with the steps in
 * `highlight` marked: the exported BPMN names each step's element by the step key
 * (src/engine/bpmn-export.ts). Loaded with the page that shows it: bpmn-js is heavy.
 */
export default function BpmnDiagram({ xml, highlight = [], height = 360 }: { xml: string; highlight?: readonly string[]; height?: number }) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [missing, setMissing] = useState<string[]>([]);

  useEffect(() => {
    if (!container.current) return;
    const viewer = new NavigatedViewer({ container: container.current });
    let live = true;
    void (async () => {
      try {
        await viewer.importXML(xml);
        if (!live) return;
        const canvas = viewer.get('canvas') as Canvas;
        const registry = viewer.get('elementRegistry') as { get(id: string): unknown };
        canvas.zoom('fit-viewport');
        const absent: string[] = [];
        for (const step of highlight) {
          if (registry.get(step)) canvas.addMarker(step, CURRENT_STEP_MARKER);
          else absent.push(step);
        }
        setMissing(absent);
        setFailed(null);
      } catch (error) {
        if (live) setFailed(error instanceof Error ? error.message : String(error));
      }
    })();
    return () => {
      live = false;
      viewer.destroy();
    };
  }, [xml, highlight.join('\u0000')]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div>
      {failed ? <Alert type="warning" showIcon title={t('defs.diagramFailed')} description={failed} /> : null}
      <div ref={container} data-testid="bpmn-diagram" className="bpmn-diagram" style={{ height, border: '1px solid #f0f0f0', borderRadius: 4 }} />
      {missing.length > 0 ? <Typography.Text type="secondary">{t('defs.stepsNotDrawn', { steps: missing.join(', ') })}</Typography.Text> : null}
    </div>
  );
}
