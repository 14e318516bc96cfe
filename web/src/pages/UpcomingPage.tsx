import { Result } from 'antd';
import { useI18n } from '../i18n/i18n';

export type UpcomingFeature = 'dashboard' | 'definitions' | 'newCase' | 'publicBoard';

/**
 * A page whose API is not in this release yet (the supervisor dashboard, definition
 * administration, starting a case from the browser, the public notice board). It is not in
 * the menu; opened by its address it says so plainly instead of showing made-up data.
 */
export default function UpcomingPage({ feature }: { feature: UpcomingFeature }) {
  const { t } = useI18n();
  return <Result status="info" title={t(`upcoming.${feature}`)} subTitle={t('upcoming.notYet')} />;
}
