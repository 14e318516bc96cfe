import type { InboxItem } from '../../api/types';

/** all; mine: assigned to me, mine to sign, or delegated away by me; offered: open to my role, nobody's yet (待签收). */
export type InboxView = 'all' | 'mine' | 'offered';

export function filterByView(items: readonly InboxItem[], view: InboxView): InboxItem[] {
  if (view === 'all') return [...items];
  return items.filter((item) => (view === 'offered' ? item.assignment === 'offered' : item.assignment !== 'offered'));
}
