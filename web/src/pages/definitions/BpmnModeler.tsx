import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import { DownloadOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, Button, Space } from 'antd';
import Modeler from 'bpmn-js/lib/Modeler';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { downloadText, MIME } from './download';

/**
 * The draft's diagram in bpmn-js's modeler: opened from the BPMN given (the current
 * version's export, the draft when it is BPMN, or a file), edited, then downloaded as .bpmn
 * or saved as the draft (which the API imports and validates like any BPMN file).
 * Loaded only when the modeler tab is opened: bpmn-js is heavy.
 */
export default function BpmnModeler({ xml, fileName, onSave, saving }: { xml: string; fileName: string; onSave(xml: string): void; saving: boolean }) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const modeler = useRef<Modeler | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (!container.current) return;
    const instance = new Modeler({ container: container.current });
    modeler.current = instance;
    let live = true;
    void instance.importXML(xml).then(
      () => {
        if (!live) return;
        (instance.get('canvas') as { zoom(level: string): void }).zoom('fit-viewport');
        setFailed(null);
      },
      (error: unknown) => live && setFailed(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
      modeler.current = null;
      instance.destroy();
    };
  }, [xml]);

  async function edited(): Promise<string | undefined> {
    const result = await modeler.current?.saveXML({ format: true });
    return result?.xml;
  }

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {failed ? <Alert type="error" showIcon title={t('defs.diagramFailed')} description={failed} /> : null}
      <div ref={container} data-testid="bpmn-modeler" style={{ height: 520, border: '1px solid #f0f0f0', borderRadius: 4 }} />
      <Space wrap>
        <Button
          icon={<DownloadOutlined />}
          onClick={async () => {
            const text = await edited();
            if (text) downloadText(fileName, text, MIME.bpmn);
          }}
        >
          {t('defs.downloadBpmn')}
        </Button>
        <Button
          type="primary"
          icon={<SaveOutlined />}
          loading={saving}
          data-testid="modeler-save"
          onClick={async () => {
            const text = await edited();
            if (text) onSave(text);
          }}
        >
          {t('defs.saveDiagramAsDraft')}
        </Button>
      </Space>
    </Space>
  );
}
