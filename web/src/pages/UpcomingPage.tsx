import { Result } from 'antd';
import { useI18n } from '../i18n/i18n';

export type UpcomingFeature = 'definitions' | 'newCase';

/**
 * A page not in this release yet (definition administration, starting a case from the
 * browser). It is not in the menu; opened by its address it says so plainly instead of showing made-up data.
 */
export default function UpcomingPage({ feature }: { feature: UpcomingFeature }) {
  const { t } = useI18n();
  return <Result status="info" title={t(`upcoming.${feature}`)} subTitle={t('upcoming.notYet')} />;
}
