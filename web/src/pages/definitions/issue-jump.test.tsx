import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useRef } from 'react';
import { describe, expect, it } from 'vitest';
import type { DefinitionIssue } from '../../api/definition-types';
import { I18nProvider } from '../../i18n/i18n';
import { IssueList } from './IssueList';
import { SourceEditor, type SourceEditorHandle } from './SourceEditor';
import { offsetOf, refusedElements } from './source-position';

const SOURCE = ['key: relief', 'version: 1', 'steps:', '  propose:', '    actions:', '      submit: { target: suport }', ''].join('\n');

/** The validator's words for two problems of SOURCE: an error at 6:25 and a warning at 4:3. */
const ISSUES: DefinitionIssue[] = [
  { file: 'workflows/relief.yaml', path: 'steps.propose', message: 'a task step without a deadline', severity: 'warning', line: 4, column: 3 },
  { file: 'workflows/relief.yaml', path: 'steps.propose.actions.submit.target', message: "there is no step named 'suport'", severity: 'error', line: 6, column: 25 },
];

function EditorWithIssues() {
  const editor = useRef<SourceEditorHandle>(null);
  return (
    <I18nProvider locale="zh-CN">
      <SourceEditor ref={editor} value={SOURCE} onChange={() => undefined} label="源文件" />
      <IssueList issues={ISSUES} onJump={(issue) => issue.line !== undefined && editor.current?.jumpTo(issue.line, issue.column)} />
    </I18nProvider>
  );
}

describe('the issue list beside the source', () => {
  it('lists errors before warnings, each with its line:column', () => {
    render(<EditorWithIssues />);
    expect(screen.getAllByTestId('issue-position').map((e) => e.textContent)).toEqual(['6:25', '4:3']);
    expect(screen.getAllByTestId('issue')[0].textContent).toContain("there is no step named 'suport'");
  });

  it('puts the cursor on the line and column of the issue clicked, selecting to the end of that line', async () => {
    render(<EditorWithIssues />);
    const editor = screen.getByLabelText<HTMLTextAreaElement>('源文件');
    await userEvent.click(screen.getAllByTestId('issue')[0]);
    expect(document.activeElement).toBe(editor);
    expect(SOURCE.slice(editor.selectionStart, editor.selectionEnd)).toBe('suport }');
    await userEvent.click(screen.getAllByTestId('issue')[1]);
    expect(SOURCE.slice(editor.selectionStart, editor.selectionEnd)).toBe('propose:');
  });

  it('shows the line numbers of the text', () => {
    const { container } = render(<EditorWithIssues />);
    expect(container.querySelector('.source-editor [aria-hidden]')?.textContent).toBe('1234567');
  });
});

describe('positions and refused BPMN elements', () => {
  it('counts lines and columns from 1, a column past the line end stopping there', () => {
    expect(offsetOf('ab\ncd', 1, 1)).toBe(0);
    expect(offsetOf('ab\ncd', 2, 2)).toBe(4);
    expect(offsetOf('ab\ncd', 1, 9)).toBe(2);
    expect(offsetOf('ab\ncd', 7, 1)).toBe(5);
  });

  it("names each refused element once, by id and type, in the API's order", () => {
    const issues: DefinitionIssue[] = [
      { file: 'f', path: '', severity: 'error', line: 9, column: 5, message: "bpmn:Task '_820c' is not supported: tasks without a performer …" },
      { file: 'f', path: '', severity: 'error', line: 12, column: 5, message: "bpmn:EndEvent 'end' is not supported: reached only through bpmn:Task '_820c'" },
      { file: 'f', path: '', severity: 'error', line: 9, column: 5, message: "bpmn:Task '_820c' is not supported: again" },
      { file: 'f', path: 'steps', severity: 'error', message: 'the definition has no step' },
    ];
    expect(refusedElements(issues).map((e) => [e.type, e.id, e.line])).toEqual([
      ['bpmn:Task', '_820c', 9],
      ['bpmn:EndEvent', 'end', 12],
    ]);
  });
});
