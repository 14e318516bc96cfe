import { Tag } from 'antd';
import { useI18n } from '../../i18n/i18n';

/** published (green) / deprecated (grey), in words. */
export function VersionStatusTag({ status }: { status: string }) {
  const { t, tx } = useI18n();
  return <Tag color={status === 'published' ? 'green' : status === 'deprecated' ? 'default' : 'blue'}>{status === 'published' ? t('defs.status.published') : tx(`defs.status.${status}`)}</Tag>;
}
