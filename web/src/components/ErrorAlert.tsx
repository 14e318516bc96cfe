import { Alert } from 'antd';
import { useI18n } from '../i18n/i18n';
import { describeError } from './api-error';

/** A failed call, explained (see describeError). */
export function ErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useI18n();
  const text = describeError(error, t);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="error-alert"
      title={text.title}
      description={
        <>
          <div>{text.description}</div>
          {text.detail && text.detail !== text.description ? <div style={{ opacity: 0.7, fontSize: 12 }}>{text.detail}</div> : null}
        </>
      }
      closable={onClose ? { onClose } : undefined}
    />
  );
}
