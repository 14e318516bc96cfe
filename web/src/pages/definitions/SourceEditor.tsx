import { forwardRef, useImperativeHandle, useMemo, useRef } from 'react';
import { lineEndOf, offsetOf } from './source-position';

/** What the page can do with the editor: put the cursor on an issue's position. */
export interface SourceEditorHandle {
  jumpTo(line: number, column?: number): void;
}

const LINE_HEIGHT = 20;

/**
 * A plain text editor with line numbers: a definition's YAML or JSON (or BPMN XML) as
 * typed, nothing rewritten. A textarea keeps the text exactly as the validator counts lines
 * and columns, and costs nothing to load.
 */
export const SourceEditor = forwardRef<SourceEditorHandle, { value: string; onChange(value: string): void; label: string; readOnly?: boolean }>(
  function SourceEditor({ value, onChange, label, readOnly }, ref) {
    const area = useRef<HTMLTextAreaElement>(null);
    const gutter = useRef<HTMLDivElement>(null);
    const lines = useMemo(() => value.split('\n').length, [value]);

    useImperativeHandle(ref, () => ({
      jumpTo(line, column = 1) {
        const element = area.current;
        if (!element) return;
        const offset = offsetOf(element.value, line, column);
        element.focus();
        element.setSelectionRange(offset, lineEndOf(element.value, offset));
        element.scrollTop = Math.max(0, (line - 5) * LINE_HEIGHT);
        if (gutter.current) gutter.current.scrollTop = element.scrollTop;
      },
    }));

    return (
      <div className="source-editor" style={{ display: 'flex', border: '1px solid #d9d9d9', borderRadius: 4, height: 560, overflow: 'hidden', fontFamily: 'monospace', fontSize: 13 }}>
        <div
          ref={gutter}
          aria-hidden
          style={{ overflow: 'hidden', background: '#fafafa', color: '#999', textAlign: 'right', padding: '8px 6px', minWidth: 44, userSelect: 'none', lineHeight: `${LINE_HEIGHT}px` }}
        >
          {Array.from({ length: lines }, (_, i) => (
            <div key={i}>{i + 1}</div>
          ))}
        </div>
        <textarea
          ref={area}
          aria-label={label}
          data-testid="source-editor"
          value={value}
          readOnly={readOnly}
          spellCheck={false}
          wrap="off"
          onChange={(event) => onChange(event.target.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
          style={{ flex: 1, border: 0, outline: 'none', resize: 'none', padding: 8, lineHeight: `${LINE_HEIGHT}px`, fontFamily: 'inherit', fontSize: 'inherit', whiteSpace: 'pre', overflow: 'auto' }}
        />
      </div>
    );
  },
);
