import { Button, Result } from 'antd';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';

interface State {
  error: Error | null;
}

/**
 * Catches a page that failed to render, so the rest of the app (menu, logout) stays usable.
 * The end-to-end tests fail any page that shows it (data-testid="error-boundary").
 */
class Boundary extends Component<{ children: ReactNode; fallback: (error: Error, reset: () => void) => ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Page failed to render', error, info.componentStack);
  }

  override render() {
    return this.state.error ? this.props.fallback(this.state.error, () => this.setState({ error: null })) : this.props.children;
  }
}

function Fallback({ error, reset }: { error: Error; reset: () => void }) {
  const { t } = useI18n();
  return (
    <div data-testid="error-boundary">
      <Result
        status="error"
        title={t('error.boundaryTitle')}
        subTitle={error.message}
        extra={
          <Button type="primary" onClick={reset}>
            {t('common.retry')}
          </Button>
        }
      />
    </div>
  );
}

export function ErrorBoundary({ children }: { children: ReactNode }) {
  return <Boundary fallback={(error, reset) => <Fallback error={error} reset={reset} />}>{children}</Boundary>;
}
