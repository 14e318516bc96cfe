import { CheckCircleOutlined, CloudUploadOutlined, DeleteOutlined, SaveOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Popconfirm, Radio, Row, Space, Spin, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import type { DefinitionIssue, DraftStatus, SourceFormat } from '../../api/definition-types';
import { useAuth } from '../../auth/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n/i18n';
import { IssueList } from './IssueList';
import { SourceEditor, type SourceEditorHandle } from './SourceEditor';
import { formatOfFile, refusedElements } from './source-position';

const BpmnModeler = lazy(() => import('./BpmnModeler'));

interface Draft {
  format: SourceFormat;
  source: string;
  /** What the API has: null when there is no draft yet. */
  saved: { format: SourceFormat; source: string; status: DraftStatus } | null;
  issues: DefinitionIssue[] | null;
}

/** The issues an answer carries (a refused publish: 409 with the last issues, 422 with the new ones). */
function issuesOf(error: unknown): DefinitionIssue[] | undefined {
  const issues = error instanceof ApiError ? (error.body.details as { issues?: unknown } | undefined)?.issues : undefined;
  return Array.isArray(issues) && issues.every((i) => typeof i === 'object' && i !== null && 'message' in i) ? (issues as DefinitionIssue[]) : undefined;
}

/**
 * The draft of a workflow: its source in the editor with the validator's issues beside it
 * (click one: the cursor goes to its line and column), validate, save, publish (only once
 * validated as it stands), discard; a .yaml/.json/.bpmn file uploaded as the draft, with the
 * BPMN elements the import refused listed by id; and the diagram in the BPMN modeler.
 */
export function DraftPanel({ workflowKey, latestVersion, onChanged }: { workflowKey: string; latestVersion: number | null; onChanged(): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const { message } = App.useApp();
  const editor = useRef<SourceEditorHandle>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [view, setView] = useState<'source' | 'diagram'>('source');
  const [diagram, setDiagram] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const stored = await api.getDraft(workflowKey);
      setDraft({ format: stored.format, source: stored.source, saved: { format: stored.format, source: stored.source, status: stored.status }, issues: stored.issues });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setDraft({ format: 'yaml', source: '', saved: null, issues: null });
      else setError(e);
    }
  }, [api, workflowKey]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!draft) return error ? <ErrorAlert error={error} /> : <Spin />;

  const dirty = !draft.saved || draft.saved.source !== draft.source || draft.saved.format !== draft.format;
  const errors = (draft.issues ?? []).filter((i) => i.severity === 'error').length;
  const warnings = (draft.issues ?? []).length - errors;
  const canPublish = !dirty && draft.saved?.status === 'validated' && errors === 0;
  const refused = refusedElements(draft.issues ?? []);

  async function run(name: string, action: () => Promise<void>) {
    setBusy(name);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
      const issues = issuesOf(e);
      if (issues) setDraft((d) => (d ? { ...d, issues } : d));
    } finally {
      setBusy(null);
    }
  }

  /** Saves the text as the draft (a new text is not validated: its issues are gone). */
  async function save(format: SourceFormat, source: string) {
    const stored = await api.saveDraft(workflowKey, format, source);
    setDraft({ format: stored.format, source: stored.source, saved: { format: stored.format, source: stored.source, status: stored.status }, issues: stored.issues });
    onChanged();
  }

  async function validate(format: SourceFormat, source: string, saveFirst: boolean) {
    if (saveFirst) await save(format, source);
    const result = await api.validateDraft(workflowKey);
    setDraft((d) => (d ? { ...d, issues: result.issues, saved: d.saved ? { ...d.saved, status: result.status } : d.saved } : d));
    onChanged();
    if (result.valid) message.success(t('defs.validatedOk', { warnings: result.warnings }));
  }

  async function upload(file: File) {
    const format = formatOfFile(file.name);
    if (!format) {
      message.error(t('defs.unknownFile'));
      return;
    }
    await run('upload', async () => {
      await validate(format, await file.text(), true);
      if (format === 'bpmn') setDiagram(null);
    });
  }

  async function startFromVersion(format: 'yaml' | 'json') {
    if (latestVersion === null) return;
    await run('start', async () => {
      const source = await api.exportDefinition(workflowKey, format, latestVersion);
      setDraft((d) => (d ? { ...d, format, source, issues: null } : d));
    });
  }

  async function openDiagram() {
    setView('diagram');
    if (draft?.format === 'bpmn' && draft.source) setDiagram(draft.source);
    else if (latestVersion !== null) {
      await run('diagram', async () => setDiagram(await api.exportDefinition(workflowKey, 'bpmn', latestVersion)));
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="draft-panel">
      <Space wrap>
        {draft.saved ? (
          <Tag color={draft.saved.status === 'validated' && !dirty ? 'green' : 'blue'} data-testid="draft-status">
            {t(draft.saved.status === 'validated' && !dirty ? 'defs.status.validated' : 'defs.status.draft')}
          </Tag>
        ) : (
          <Tag>{t('defs.noDraft')}</Tag>
        )}
        {dirty && draft.saved ? <Typography.Text type="warning">{t('defs.unsaved')}</Typography.Text> : null}
        <Radio.Group
          value={draft.format}
          onChange={(e) => setDraft({ ...draft, format: e.target.value as SourceFormat, issues: null })}
          options={[
            { value: 'yaml', label: 'YAML' },
            { value: 'json', label: 'JSON' },
            { value: 'bpmn', label: 'BPMN' },
          ]}
          optionType="button"
          size="small"
        />
        {latestVersion !== null ? (
          <>
            <Button size="small" onClick={() => void startFromVersion('yaml')} loading={busy === 'start'}>
              {t('defs.startFromVersion', { version: latestVersion })}
            </Button>
          </>
        ) : null}
        <Upload accept=".bpmn,.xml,.yaml,.yml,.json" showUploadList={false} beforeUpload={(file) => (void upload(file), false)}>
          <Button size="small" icon={<UploadOutlined />} loading={busy === 'upload'} data-testid="draft-upload">
            {t('defs.uploadFile')}
          </Button>
        </Upload>
      </Space>
      {error ? <ErrorAlert error={error} onClose={() => setError(null)} /> : null}
      <Tabs
        activeKey={view}
        onChange={(next) => (next === 'diagram' ? void openDiagram() : setView('source'))}
        items={[
          {
            key: 'source',
            label: t('defs.sourceTab'),
            children: (
              <Row gutter={16}>
                <Col xs={24} xl={15}>
                  <SourceEditor ref={editor} value={draft.source} label={t('defs.sourceTab')} onChange={(source) => setDraft({ ...draft, source })} />
                  <Space wrap style={{ marginTop: 12 }}>
                    <Button icon={<SaveOutlined />} loading={busy === 'save'} disabled={!draft.source.trim()} onClick={() => void run('save', () => save(draft.format, draft.source))}>
                      {t('defs.saveDraft')}
                    </Button>
                    <Button
                      icon={<CheckCircleOutlined />}
                      loading={busy === 'validate'}
                      disabled={!draft.source.trim()}
                      data-testid="draft-validate"
                      onClick={() => void run('validate', () => validate(draft.format, draft.source, dirty))}
                    >
                      {t('defs.validate')}
                    </Button>
                    <Popconfirm
                      title={t('defs.publishConfirm', { version: (latestVersion ?? 0) + 1 })}
                      okText={t('defs.publish')}
                      cancelText={t('common.cancel')}
                      onConfirm={() =>
                        run('publish', async () => {
                          const published = await api.publishDraft(workflowKey);
                          message.success(t('defs.published', { version: published.version }));
                          onChanged();
                          await load();
                        })
                      }
                      disabled={!canPublish}
                    >
                      <Button type="primary" icon={<CloudUploadOutlined />} loading={busy === 'publish'} disabled={!canPublish} data-testid="draft-publish">
                        {t('defs.publish')}
                      </Button>
                    </Popconfirm>
                    {draft.saved ? (
                      <Popconfirm
                        title={t('defs.discardConfirm')}
                        okText={t('defs.discard')}
                        cancelText={t('common.cancel')}
                        onConfirm={() =>
                          run('discard', async () => {
                            await api.discardDraft(workflowKey);
                            onChanged();
                            await load();
                          })
                        }
                      >
                        <Button danger icon={<DeleteOutlined />} loading={busy === 'discard'}>
                          {t('defs.discard')}
                        </Button>
                      </Popconfirm>
                    ) : null}
                  </Space>
                  {!canPublish && draft.saved ? <div style={{ marginTop: 8 }}><Typography.Text type="secondary">{t('defs.publishNeedsValidation')}</Typography.Text></div> : null}
                </Col>
                <Col xs={24} xl={9}>
                  <Card size="small" title={draft.issues === null ? t('defs.issues') : t('defs.issuesCount', { errors, warnings })} data-testid="issues-card">
                    {refused.length > 0 ? (
                      <Alert
                        type="error"
                        style={{ marginBottom: 12 }}
                        title={t('defs.refusedElements', { count: refused.length })}
                        description={
                          <Table
                            size="small"
                            rowKey="id"
                            pagination={false}
                            data-testid="refused-elements"
                            dataSource={refused}
                            columns={[
                              { title: t('defs.elementId'), dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
                              { title: t('defs.elementType'), dataIndex: 'type' },
                              { title: t('defs.line'), dataIndex: 'line' },
                            ]}
                            onRow={(element) => ({ onClick: () => element.line !== undefined && editor.current?.jumpTo(element.line, element.column) })}
                          />
                        }
                      />
                    ) : null}
                    <div style={{ maxHeight: 520, overflow: 'auto' }}>
                      <IssueList issues={draft.issues} onJump={(issue) => issue.line !== undefined && editor.current?.jumpTo(issue.line, issue.column)} />
                    </div>
                  </Card>
                </Col>
              </Row>
            ),
          },
          {
            key: 'diagram',
            label: t('defs.diagramTab'),
            children:
              view === 'diagram' ? (
                diagram ? (
                  <Suspense fallback={<Spin />}>
                    <BpmnModeler
                      xml={diagram}
                      fileName={`${workflowKey}.bpmn`}
                      saving={busy === 'diagram-save'}
                      onSave={(xml) =>
                        void run('diagram-save', async () => {
                          await validate('bpmn', xml, true);
                          setView('source');
                        })
                      }
                    />
                  </Suspense>
                ) : busy === 'diagram' ? (
                  <Spin />
                ) : (
                  <Typography.Text type="secondary">{t('defs.noDiagram')}</Typography.Text>
                )
              ) : null,
          },
        ]}
      />
    </Space>
  );
}
